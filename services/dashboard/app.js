// 蓝天 · 大气污染源巡查督办看板: the supervision dashboard, plain JavaScript over the JSON API.
//
// Signs in with POST /api/v1/sessions (the token lives in sessionStorage, so it ends with the
// tab), then draws the day's figures, the period's rates, the ranking of subdistricts, trends,
// breakdowns, the map of open issues and the latest escalations, and refreshes every minute.
// Days are Asia/Shanghai calendar days whatever the browser's zone.
//
// Hooks for tests: body[data-state] is loading | ready | error | signed-out;
// body[data-loads] counts completed loads; [data-kpi=NAME] holds each figure;
// [data-chart=NAME][data-points] the number of data items drawn; ranking rows carry
// data-unit-id and data-rank.
'use strict';

(() => {
  const TZ = 'Asia/Shanghai';
  const API = '/api/v1';
  const TOKEN_KEY = 'lantian.dashboard.token';
  const USER_KEY = 'lantian.dashboard.user';
  const REFRESH_MS = 60_000;
  const REQUEST_TIMEOUT_MS = 30_000;
  const MAP_NAME = 'lantian-subdistricts';
  const DAY_MS = 24 * 3600_000;
  const COUNT_KPIS = ['found', 'assigned', 'submitted', 'closed', 'overdue'];
  const RATE_KPIS = ['on_time_rate', 'closure_rate', 'rework_rate'];
  const LEVEL_LABELS = { 1: '督办', 2: '约谈', 3: '问责' };
  const PALETTE = ['#1f6fd1', '#20a0a0', '#f0a020', '#6a5acd', '#e0621c', '#1c9a5b',
    '#c23c8c', '#5b8ff9', '#8c6d31', '#d93a3a', '#3a8fb7', '#9b59b6', '#7f8c8d'];

  // Charts animate unless the reader (or a test taking screenshots) asked for less motion.
  const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  const ANIMATION = reducedMotion ? { animation: false } : { animationDuration: 400 };

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  const state = {
    token: null,
    user: null,
    period: 'month',
    custom: { from: '', to: '' },
    timer: null,
    seq: 0,          // the latest load; answers of an older one are dropped
    busy: false,
    charts: {},
    units: null,     // id → name, fetched once per session
    loads: 0,
  };

  // --- dates in the district's zone ---------------------------------------------------------

  const dayFormat = new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  });
  const clockFormat = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const stampFormat = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });

  function parts(format, date) {
    const out = {};
    for (const p of format.formatToParts(date)) out[p.type] = p.value;
    return out;
  }

  /// The Asia/Shanghai calendar day of `date`, YYYY-MM-DD.
  function districtDay(date = new Date()) {
    const p = parts(dayFormat, date);
    return `${p.year}-${p.month}-${p.day}`;
  }

  /// HH:MM:SS in Asia/Shanghai.
  function districtClock(date = new Date()) {
    const p = parts(clockFormat, date);
    return `${p.hour}:${p.minute}:${p.second}`;
  }

  /// MM-DD HH:MM in Asia/Shanghai, for an RFC 3339 time.
  function districtStamp(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return String(iso ?? '');
    const p = parts(stampFormat, new Date(t));
    return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  function addDays(day, n) {
    return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
  }

  const isDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

  /// The selected period as {from, to}, inclusive days; null when a custom one is incomplete.
  function periodRange(today) {
    const [y, m] = today.split('-').map(Number);
    switch (state.period) {
      case 'last30':
        return { from: addDays(today, -29), to: today };
      case 'quarter': {
        const first = Math.floor((m - 1) / 3) * 3 + 1;
        return { from: `${y}-${String(first).padStart(2, '0')}-01`, to: today };
      }
      case 'year':
        return { from: `${y}-01-01`, to: today };
      case 'custom':
        if (!isDay(state.custom.from) || !isDay(state.custom.to)) return null;
        return { from: state.custom.from, to: state.custom.to };
      case 'month':
      default:
        return { from: `${today.slice(0, 8)}01`, to: today };
    }
  }

  // --- formatting -----------------------------------------------------------------------------

  function formatRate(rate) {
    if (rate === null || rate === undefined || !Number.isFinite(Number(rate))) return '—';
    return `${(Number(rate) * 100).toFixed(1)}%`;
  }

  const ratePercent = (rate) => (rate === null || rate === undefined ? null : Math.round(Number(rate) * 1000) / 10);

  function escapeHtml(value) {
    return String(value ?? '').replace(/[&<>"']/g, (c) => ({
      '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
    }[c]));
  }

  function el(tag, { className, text, attrs } = {}, children = []) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    for (const child of children) node.append(child);
    return node;
  }

  // --- the API --------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem, message) {
      super(message);
      this.status = status;
      this.problem = problem;
    }
  }

  function describeFailure(status, problem) {
    if (status === 401) return '登录已失效，请重新登录。';
    if (status === 403) return '当前账号无权查看统计报表（需区领导、环委办、督查局或责任单位账号）。';
    if (status === 429) return '操作过于频繁，请稍后再试。';
    if (status === 503) return '服务暂时不可用（数据库连接中断），请稍后刷新。';
    const detail = problem && typeof problem === 'object' ? (problem.detail || problem.title) : '';
    return `请求失败（HTTP ${status}）${detail ? `：${detail}` : ''}`;
  }

  async function api(path, { method = 'GET', json, auth = true } = {}) {
    const headers = { accept: 'application/json' };
    if (auth && state.token) headers.authorization = `Bearer ${state.token}`;
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    init.signal = controller.signal;
    let response;
    let text;
    try {
      response = await fetch(API + path, init);
      text = await response.text();
    } catch (e) {
      throw new ApiError(0, null, controller.signal.aborted ? '请求超时，请稍后刷新。' : '无法连接服务器，请检查网络。');
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    if (text && /json/.test(response.headers.get('content-type') || '')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    if (!response.ok) throw new ApiError(response.status, body, describeFailure(response.status, body));
    return body;
  }

  const query = (params) => new URLSearchParams(params).toString();

  // --- session --------------------------------------------------------------------------------

  function loadStoredSession() {
    try {
      state.token = sessionStorage.getItem(TOKEN_KEY);
      const user = sessionStorage.getItem(USER_KEY);
      state.user = user ? JSON.parse(user) : null;
    } catch {
      state.token = null;
      state.user = null;
    }
  }

  function storeSession(token, user) {
    state.token = token;
    state.user = user;
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
      sessionStorage.setItem(USER_KEY, JSON.stringify(user ?? null));
    } catch {
      // Private mode without storage: the session lasts as long as the page.
    }
  }

  function clearSession() {
    state.token = null;
    state.user = null;
    state.units = null;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
      sessionStorage.removeItem(USER_KEY);
    } catch {
      // nothing stored
    }
  }

  /// Back to the sign-in form (after 退出, or when the server answered 401), with `message`.
  function showSignIn(message = '') {
    state.seq++;
    stopTimer();
    clearSession();
    for (const chart of Object.values(state.charts)) chart.dispose();
    state.charts = {};
    $('#board').hidden = true;
    $('#session').hidden = true;
    $('#signin').hidden = false;
    $('#signin-message').textContent = message;
    $('#password').value = '';
    $('#signin-submit').disabled = false;
    document.body.dataset.state = 'signed-out';
    ($('#username').value ? $('#password') : $('#username')).focus();
  }

  function showBoard() {
    $('#signin').hidden = true;
    $('#board').hidden = false;
    $('#session').hidden = false;
    const u = state.user;
    $('#who').textContent = u ? `${u.display_name || u.username}${u.role_label ? `（${u.role_label}）` : ''}` : '';
    renderPeriodControls();
    startTimer();
  }

  async function onSignIn(event) {
    event.preventDefault();
    const username = $('#username').value.trim();
    const password = $('#password').value;
    const message = $('#signin-message');
    if (!username || !password) {
      message.textContent = '请输入用户名和密码。';
      return;
    }
    const button = $('#signin-submit');
    button.disabled = true;
    message.textContent = '';
    try {
      const session = await api('/sessions', { method: 'POST', json: { username, password }, auth: false });
      storeSession(session.token, session.user);
      $('#password').value = '';
      showBoard();
      await loadAll();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        message.textContent = '用户名或密码错误。';
      } else if (e instanceof ApiError && e.status === 429) {
        message.textContent = '登录失败次数过多，请稍后再试。';
      } else {
        message.textContent = e.message || String(e);
      }
    } finally {
      button.disabled = false;
    }
  }

  async function onSignOut() {
    const token = state.token;
    showSignIn('已退出登录。');
    if (!token) return;
    try {
      await fetch(`${API}/sessions/current`, {
        method: 'DELETE', headers: { authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit',
      });
    } catch {
      // The token is forgotten here either way; it also expires on the server.
    }
  }

  // --- refresh --------------------------------------------------------------------------------

  function startTimer() {
    stopTimer();
    state.timer = setInterval(() => {
      if (!state.token || state.busy) return;
      loadAll({ background: true });
    }, REFRESH_MS);
  }

  function stopTimer() {
    if (state.timer !== null) clearInterval(state.timer);
    state.timer = null;
  }

  // --- period picker --------------------------------------------------------------------------

  function renderPeriodControls() {
    for (const chip of $$('[data-period]')) {
      chip.setAttribute('aria-pressed', String(chip.dataset.period === state.period));
    }
    $('#custom-range').hidden = state.period !== 'custom';
  }

  function onPeriodChip(event) {
    const period = event.currentTarget.dataset.period;
    if (period === 'custom') {
      const today = districtDay();
      const current = periodRange(today) ?? { from: `${today.slice(0, 8)}01`, to: today };
      $('#period-from').value = state.custom.from || current.from;
      $('#period-to').value = state.custom.to || current.to;
      $('#period-from').max = today;
      $('#period-to').max = today;
      state.period = 'custom';
      renderPeriodControls();
      return; // loads on 查询
    }
    state.period = period;
    renderPeriodControls();
    loadAll();
  }

  function onCustomApply() {
    const from = $('#period-from').value;
    const to = $('#period-to').value;
    if (!isDay(from) || !isDay(to)) {
      showBanner('请选择完整的开始和结束日期。');
      return;
    }
    if (from > to) {
      showBanner('开始日期不能晚于结束日期。');
      return;
    }
    state.custom = { from, to };
    loadAll();
  }

  function showBanner(message) {
    const banner = $('#banner');
    banner.textContent = message;
    banner.hidden = !message;
  }

  // --- loading --------------------------------------------------------------------------------

  async function loadUnits() {
    if (state.units) return state.units;
    try {
      const list = await api(`/units?${query({ limit: 200 })}`);
      state.units = new Map(list.items.map((u) => [u.id, u.name]));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) throw e;
      state.units = new Map(); // names then come from the ranking alone
    }
    return state.units;
  }

  /// The latest escalations, newest first: the list is oldest first, so the tail of a recent
  /// window (today, the last 7 days, the last 30) is read.
  async function loadEscalations(today, count = 10) {
    let items = [];
    for (const back of [0, 6, 29]) {
      items = [];
      let cursor = null;
      for (let page = 0; page < 10; page++) {
        const params = { from: addDays(today, -back), limit: 200 };
        if (cursor) params.cursor = cursor;
        const r = await api(`/escalations?${query(params)}`);
        items.push(...r.items);
        cursor = r.next_cursor;
        if (!cursor) break;
      }
      if (items.length >= count) break;
    }
    return items.slice(-count).reverse();
  }

  /// Loads every figure and draws it. `background` (the minute's refresh) keeps the page as it
  /// is while loading and leaves body[data-state] alone unless it fails.
  async function loadAll({ background = false } = {}) {
    const today = districtDay();
    const period = periodRange(today);
    if (!period) return;
    const seq = ++state.seq;
    state.busy = true;
    if (!background) document.body.dataset.state = 'loading';
    showBanner('');
    const periodText = $('#period-text');
    periodText.textContent = `${period.from} 至 ${period.to}`;
    periodText.dataset.from = period.from;
    periodText.dataset.to = period.to;
    const summary = (from, to, groupBy) => api(`/reports/summary?${query({ from, to, group_by: groupBy })}`);
    try {
      const [todaySum, periodSum, trend, category, siteKind, ranking, map, escalations, units] = await Promise.all([
        summary(today, today, 'unit'),
        summary(period.from, period.to, 'unit'),
        summary(addDays(today, -29), today, 'day'),
        summary(period.from, period.to, 'category'),
        summary(period.from, period.to, 'site_kind'),
        api(`/reports/ranking?${query({ from: period.from, to: period.to })}`),
        api('/reports/map'),
        loadEscalations(today),
        loadUnits(),
      ]);
      if (seq !== state.seq) return;
      renderKpis(todaySum.totals, periodSum.totals);
      renderRanking(ranking.rows);
      renderTrend(trend.rows);
      renderBreakdown('category', category.rows);
      renderBreakdown('site_kind', siteKind.rows);
      renderMap(map);
      renderEscalations(escalations, units, ranking.rows);
      const now = new Date();
      const updated = $('#updated');
      updated.textContent = `更新于 ${districtClock(now)}`;
      updated.dataset.updated = now.toISOString();
      state.loads++;
      document.body.dataset.loads = String(state.loads);
      document.body.dataset.state = 'ready';
    } catch (e) {
      if (seq !== state.seq) return;
      if (e instanceof ApiError && e.status === 401) {
        showSignIn('登录已失效，请重新登录。');
        return;
      }
      const message = e instanceof ApiError ? e.message : `页面出错：${e && e.message ? e.message : e}`;
      showBanner(message);
      document.body.dataset.state = 'error';
      if (!(e instanceof ApiError)) console.warn('dashboard load failed', e);
    } finally {
      if (seq === state.seq) state.busy = false;
    }
  }

  // --- rendering ------------------------------------------------------------------------------

  function chart(name) {
    const container = $(`[data-chart="${name}"]`);
    let instance = state.charts[name];
    if (!instance || instance.isDisposed()) {
      instance = echarts.init(container, null, { renderer: 'canvas' });
      state.charts[name] = instance;
    }
    return { instance, container };
  }

  function drawn(container, count, extra = {}) {
    container.dataset.points = String(count);
    for (const [k, v] of Object.entries(extra)) container.dataset[k] = String(v);
  }

  const emptyGraphic = (show) => (show
    ? [{ type: 'text', left: 'center', top: 'middle', style: { text: '暂无数据', fill: '#93a1b2', fontSize: 15 } }]
    : []);

  const axisText = { color: '#66768a' };
  const gridLine = { lineStyle: { color: '#eef2f7' } };

  function renderKpis(today, period) {
    for (const name of COUNT_KPIS) {
      const node = $(`[data-kpi="${name}"]`);
      const value = today?.[name];
      node.textContent = Number.isFinite(value) ? String(value) : '—';
      node.dataset.value = value ?? '';
    }
    for (const name of RATE_KPIS) {
      const node = $(`[data-kpi="${name}"]`);
      const value = period?.[name];
      node.textContent = formatRate(value);
      node.dataset.value = value ?? '';
    }
  }

  function rateColor(percent) {
    if (percent === null) return '#c5ced9';
    if (percent >= 90) return '#1c9a5b';
    if (percent >= 70) return '#1f6fd1';
    if (percent >= 50) return '#f0a020';
    return '#d93a3a';
  }

  function renderRanking(rows) {
    const { instance, container } = chart('ranking');
    const data = rows.map((r) => {
      const percent = ratePercent(r.on_time_rate);
      // No rate (nothing fell due): an empty bar labelled "—".
      return { value: percent ?? 0, rank: r.rank, unitId: r.unit_id, itemStyle: { color: rateColor(percent) } };
    });
    instance.setOption({
      ...ANIMATION,
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const r = rows[p.dataIndex];
          return `${escapeHtml(r.unit_name)}<br>第 ${r.rank} 名 · 按期整改率 ${formatRate(r.on_time_rate)}`
            + `<br>到期 ${r.due} · 按期 ${r.on_time} · 超期 ${r.overdue}`;
        },
      },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { ...axisText, formatter: '{value}%' }, splitLine: gridLine },
      yAxis: {
        type: 'category', inverse: true, data: rows.map((r) => r.unit_name),
        axisLabel: { ...axisText, color: '#1d2733' }, axisTick: { show: false },
      },
      series: [{
        type: 'bar', name: '按期整改率', data, barMaxWidth: 18,
        label: {
          show: true, position: 'right', color: '#1d2733',
          formatter: (p) => formatRate(rows[p.dataIndex].on_time_rate),
        },
      }],
    }, { notMerge: true });
    drawn(container, data.length);

    const tbody = $('#ranking-table tbody');
    tbody.replaceChildren(...rows.map((r) => {
      const esc = r.escalations || {};
      const tr = el('tr', {
        className: r.rank <= 3 && r.on_time_rate !== null ? 'rank-top' : '',
        attrs: { 'data-unit-id': r.unit_id, 'data-rank': r.rank },
      }, [
        el('td', {}, [el('span', { className: 'rank-badge', text: String(r.rank) })]),
        el('td', { text: r.unit_name }),
        el('td', { text: formatRate(r.on_time_rate), attrs: { 'data-field': 'on_time_rate' } }),
        el('td', { text: String(r.overdue), className: r.overdue > 0 ? 'num-alert' : '', attrs: { 'data-field': 'overdue' } }),
        el('td', { text: String(esc.level1 ?? 0), attrs: { 'data-field': 'level1' } }),
        el('td', { text: String(esc.level2 ?? 0), attrs: { 'data-field': 'level2' } }),
        el('td', { text: String(esc.level3 ?? 0), attrs: { 'data-field': 'level3' } }),
      ]);
      return tr;
    }));
  }

  function renderTrend(rows) {
    const { instance, container } = chart('trend');
    const days = rows.map((r) => r.key);
    const line = (name, field, color) => ({
      type: 'line', name, data: rows.map((r) => r[field]), smooth: false, showSymbol: false,
      symbolSize: 6, lineStyle: { width: 2.5, color }, itemStyle: { color },
    });
    instance.setOption({
      ...ANIMATION,
      color: ['#1f6fd1', '#1c9a5b', '#d93a3a'],
      legend: { top: 0, data: ['发现', '销号', '超期'] },
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category', boundaryGap: false, data: days,
        axisLabel: { ...axisText, formatter: (d) => d.slice(5) },
      },
      yAxis: { type: 'value', minInterval: 1, axisLabel: axisText, splitLine: gridLine },
      series: [line('发现', 'found', '#1f6fd1'), line('销号', 'closed', '#1c9a5b'), line('超期', 'overdue', '#d93a3a')],
    }, { notMerge: true });
    drawn(container, rows.length);
  }

  /// By category (bars) or site kind (a ring): the period's found issues, where there are some.
  function renderBreakdown(name, rows) {
    const { instance, container } = chart(name);
    const items = rows.filter((r) => r.found > 0)
      .map((r) => ({ name: r.label || r.key, value: r.found, key: r.key }))
      .sort((a, b) => b.value - a.value);
    let option;
    if (name === 'category') {
      option = {
        ...ANIMATION,
        tooltip: { trigger: 'item', formatter: (p) => `${escapeHtml(p.name)}：${p.value} 件` },
        grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: 'value', minInterval: 1, axisLabel: axisText, splitLine: gridLine },
        yAxis: {
          type: 'category', inverse: true, data: items.map((i) => i.name),
          axisLabel: { ...axisText, color: '#1d2733' }, axisTick: { show: false },
        },
        series: [{
          type: 'bar', name: '发现', data: items.map((i, k) => ({ value: i.value, itemStyle: { color: PALETTE[k % PALETTE.length] } })),
          barMaxWidth: 18, label: { show: true, position: 'right', color: '#1d2733' },
        }],
        graphic: emptyGraphic(items.length === 0),
      };
    } else {
      option = {
        ...ANIMATION,
        color: PALETTE,
        tooltip: { trigger: 'item', formatter: (p) => `${escapeHtml(p.name)}：${p.value} 件（${p.percent}%）` },
        legend: { type: 'scroll', orient: 'vertical', right: 8, top: 'middle', textStyle: { color: '#1d2733' } },
        series: [{
          type: 'pie', name: '发现', radius: ['38%', '68%'], center: ['38%', '52%'],
          avoidLabelOverlap: true, itemStyle: { borderColor: '#fff', borderWidth: 2 },
          label: { formatter: '{b}\n{c}' }, data: items,
        }],
        graphic: emptyGraphic(items.length === 0),
      };
    }
    instance.setOption(option, { notMerge: true });
    drawn(container, items.length);
  }

  function renderMap(map) {
    const { instance, container } = chart('map');
    const features = map?.subdistricts?.features ?? [];
    echarts.registerMap(MAP_NAME, { type: 'FeatureCollection', features });
    const regions = features.map((f) => ({
      name: f.properties.name, value: f.properties.open, overdue: f.properties.overdue, id: f.properties.id,
    }));
    const point = (i) => ({
      name: i.category_label || i.category, value: [i.lon, i.lat], id: i.id, status: i.status, overdue: i.overdue,
    });
    const issues = (map?.issues ?? []).filter((i) => Number.isFinite(i.lon) && Number.isFinite(i.lat));
    const onTime = issues.filter((i) => !i.overdue).map(point);
    const late = issues.filter((i) => i.overdue).map(point);
    const maxOpen = Math.max(1, ...regions.map((r) => r.value || 0));
    instance.setOption({
      ...ANIMATION,
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          if (p.seriesType === 'map') {
            const r = p.data || {};
            return `${escapeHtml(p.name)}<br>未整改 ${r.value ?? 0} 件 · 超期 ${r.overdue ?? 0} 件`;
          }
          const d = p.data;
          return `问题 #${d.id} · ${escapeHtml(d.name)}${d.overdue ? '<br><b>已超期</b>' : ''}`;
        },
      },
      visualMap: {
        type: 'continuous', seriesIndex: 0, min: 0, max: maxOpen, calculable: false,
        text: ['未整改多', '少'], left: 12, bottom: 12, itemHeight: 90,
        inRange: { color: ['#eef5fd', '#8fbcf0', '#1f6fd1'] }, textStyle: { color: '#66768a' },
      },
      legend: { top: 4, right: 12, data: ['未超期问题', '超期问题'] },
      geo: {
        map: MAP_NAME, roam: true, layoutCenter: ['50%', '52%'], layoutSize: '92%',
        label: { show: true, color: '#0b2a4a', fontSize: 12 },
        itemStyle: { areaColor: '#eef5fd', borderColor: '#5b86b8', borderWidth: 1 },
        emphasis: { label: { color: '#0b2a4a' }, itemStyle: { areaColor: '#ffe7a8' } },
        select: { disabled: true },
      },
      series: [
        { type: 'map', name: '未整改', geoIndex: 0, data: regions },
        {
          type: 'scatter', name: '未超期问题', coordinateSystem: 'geo', data: onTime, symbolSize: 7,
          itemStyle: { color: '#0b5fbf', borderColor: '#fff', borderWidth: 1 }, zlevel: 1,
        },
        {
          type: reducedMotion ? 'scatter' : 'effectScatter', name: '超期问题', coordinateSystem: 'geo', data: late,
          symbolSize: 9, rippleEffect: { scale: 3, brushType: 'stroke', period: 5 },
          itemStyle: { color: '#d93a3a', borderColor: '#fff', borderWidth: 1 }, zlevel: 2,
        },
      ],
    }, { notMerge: true });
    drawn(container, onTime.length + late.length, { regions: regions.length, overdue: late.length });
    const note = $('#map-note');
    note.hidden = !map?.truncated;
    note.textContent = map?.truncated ? '问题较多，地图仅显示最新的 2000 个未整改问题。' : '';
  }

  function renderEscalations(items, units, rankingRows) {
    const names = new Map(units);
    for (const r of rankingRows) if (!names.has(r.unit_id)) names.set(r.unit_id, r.unit_name);
    const list = $('#escalations');
    list.replaceChildren(...items.map((e) => {
      const label = e.level_label || LEVEL_LABELS[e.level] || `${e.level}级`;
      const unit = names.get(e.unit_id) || `单位 #${e.unit_id}`;
      return el('li', { attrs: { 'data-escalation-id': e.id, 'data-issue-id': e.issue_id } }, [
        el('span', { className: `level level-${e.level}`, text: label }),
        el('span', { className: 'esc-reason', text: e.reason }),
        el('time', { className: 'esc-time', text: districtStamp(e.raised_at), attrs: { datetime: e.raised_at } }),
        el('span', { className: 'esc-issue', text: `问题 #${e.issue_id} · ${unit}` }),
      ]);
    }));
    list.dataset.points = String(items.length);
    $('#escalations-empty').hidden = items.length > 0;
  }

  // --- start ----------------------------------------------------------------------------------

  function init() {
    if (typeof echarts === 'undefined') {
      document.body.dataset.state = 'error';
      $('#signin').hidden = true;
      $('#board').hidden = false;
      showBanner('图表组件（echarts.min.js）未能加载，请联系系统管理员。');
      return;
    }
    $('#signin-form').addEventListener('submit', onSignIn);
    $('#sign-out').addEventListener('click', onSignOut);
    $('#refresh').addEventListener('click', () => { if (!state.busy) loadAll(); });
    for (const chip of $$('[data-period]')) chip.addEventListener('click', onPeriodChip);
    $('#period-apply').addEventListener('click', onCustomApply);
    let resizeTimer = null;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        for (const c of Object.values(state.charts)) c.resize();
      }, 150);
    });
    document.addEventListener('visibilitychange', () => {
      // Back on a tab that slept through refreshes: catch up at once.
      if (!document.hidden && state.token && !state.busy && document.body.dataset.state !== 'signed-out') {
        const last = Date.parse($('#updated').dataset.updated || '');
        if (!Number.isFinite(last) || Date.now() - last > REFRESH_MS) loadAll({ background: true });
      }
    });

    loadStoredSession();
    if (state.token) {
      showBoard();
      loadAll();
    } else {
      showSignIn('');
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
