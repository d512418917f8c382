-- Lantian demo district: Jiefang District (解放区), Jiaozuo (焦作), Henan.
--
-- THE GEOMETRY IN THIS FILE IS ILLUSTRATIVE, NOT SURVEYED BOUNDARIES. The ten territorial units
-- (nine subdistricts and one park) are drawn as an invented 5 x 2 tiling of irregular octagons over
-- roughly 113.167-113.272 E, 35.196-35.284 N, near the real district. Their shapes, the places of
-- the sites, the site names, addresses, people, phone numbers, permit numbers and companies are
-- demo data. None of it describes a real place, business or person.
--
-- `lantian seed-demo` runs this whole file as one multi-statement string inside one transaction.
-- It is idempotent: units are inserted with `on conflict (code) do nothing`, and each site only
-- if no site with the same (kind, name, subdistrict) exists yet, so a second run inserts nothing.
-- It is deterministic: there is no random(). Site positions and attributes come from index
-- arithmetic, so every fresh database gets the same rows (and, in the same order, the same ids).
-- No psql meta-commands: plain SQL and PL/pgSQL only.

-- Two seed runs at once wait for each other instead of racing on the not-exists checks.
-- Key = the ASCII bytes of 'Lantian' read as an integer.
do $lock$ begin perform pg_advisory_xact_lock(21499225257369966); end $lock$;

-- ---------------------------------------------------------------------------------------------
-- Responsible units. The ring of each territorial boundary is, in order: SW corner, bottom
-- midpoint, SE corner, right midpoint, NE corner, top midpoint, NW corner, left midpoint, SW.
-- Neighbours share their corners and edge midpoints exactly, so the tiles neither overlap nor
-- leave gaps. Layout, west to east:
--   north row: 上白作 | 王褚 | 焦北   | 新华 | 民主
--   south row: 园区   | 焦西 | 七百间 | 焦南 | 民生
-- ---------------------------------------------------------------------------------------------
insert into units (code, name, kind, boundary) values
    ('JF-SD-JIAOXI', '焦西街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.1873 35.2030, 113.1981 35.2013, 113.2116 35.2011, 113.2096 35.2200, 113.2081 35.2402, 113.1973 35.2417, 113.1874 35.2401, 113.1885 35.2190, 113.1873 35.2030))', 4326))),
    ('JF-SD-JIAONAN', '焦南街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.2319 35.1956, 113.2384 35.1978, 113.2475 35.2011, 113.2512 35.2267, 113.2527 35.2442, 113.2394 35.2383, 113.2277 35.2356, 113.2290 35.2111, 113.2319 35.1956))', 4326))),
    ('JF-SD-JIAOBEI', '焦北街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.2081 35.2402, 113.2200 35.2392, 113.2277 35.2356, 113.2313 35.2567, 113.2334 35.2800, 113.2207 35.2806, 113.2106 35.2790, 113.2104 35.2554, 113.2081 35.2402))', 4326))),
    ('JF-SD-QIBAIJIAN', '七百间街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.2116 35.2011, 113.2202 35.1978, 113.2319 35.1956, 113.2290 35.2111, 113.2277 35.2356, 113.2200 35.2392, 113.2081 35.2402, 113.2096 35.2200, 113.2116 35.2011))', 4326))),
    ('JF-SD-MINSHENG', '民生街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.2475 35.2011, 113.2571 35.2036, 113.2715 35.2049, 113.2707 35.2176, 113.2717 35.2408, 113.2631 35.2430, 113.2527 35.2442, 113.2512 35.2267, 113.2475 35.2011))', 4326))),
    ('JF-SD-MINZHU', '民主街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.2527 35.2442, 113.2631 35.2430, 113.2717 35.2408, 113.2693 35.2601, 113.2673 35.2838, 113.2563 35.2802, 113.2502 35.2790, 113.2514 35.2585, 113.2527 35.2442))', 4326))),
    ('JF-SD-XINHUA', '新华街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.2277 35.2356, 113.2394 35.2383, 113.2527 35.2442, 113.2514 35.2585, 113.2502 35.2790, 113.2437 35.2804, 113.2334 35.2800, 113.2313 35.2567, 113.2277 35.2356))', 4326))),
    ('JF-SD-WANGCHU', '王褚街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.1874 35.2401, 113.1973 35.2417, 113.2081 35.2402, 113.2104 35.2554, 113.2106 35.2790, 113.1983 35.2786, 113.1878 35.2784, 113.1868 35.2570, 113.1874 35.2401))', 4326))),
    ('JF-SD-SHANGBAIZUO', '上白作街道', 'subdistrict', ST_Multi(ST_GeomFromText(
        'POLYGON((113.1672 35.2396, 113.1760 35.2391, 113.1874 35.2401, 113.1868 35.2570, 113.1878 35.2784, 113.1752 35.2804, 113.1668 35.2803, 113.1679 35.2545, 113.1672 35.2396))', 4326))),
    ('JF-PK-CYJJQ', '解放区产业集聚区', 'park', ST_Multi(ST_GeomFromText(
        'POLYGON((113.1684 35.2041, 113.1762 35.2043, 113.1873 35.2030, 113.1885 35.2190, 113.1874 35.2401, 113.1760 35.2391, 113.1672 35.2396, 113.1687 35.2181, 113.1684 35.2041))', 4326))),
    -- Departments (部门监管责任).
    ('JF-DEPT-CHENGGUAN', '解放区城管局', 'department', null),              -- 城管: restaurants, barbecues, shop fronts
    ('JF-DEPT-ZHUJIAN', '解放区住建局', 'department', null),                -- 住建: construction sites
    ('JF-DEPT-SHENGTAI', '焦作市生态环境局解放分局', 'department', null),   -- 生态环境分局: enterprises, emissions
    ('JF-DEPT-GONGXIN', '解放区工信局', 'department', null),                -- 工信: enterprises
    ('JF-DEPT-HUANWEI', '解放区环卫中心', 'department', null),              -- 环卫 (sanitation): road dust, refuse
    ('JF-DEPT-SHICHANG', '解放区市场监管局', 'department', null),           -- 市场监管: markets, malls
    -- Offices.
    ('JF-OFF-HUANWEIBAN', '解放区环委办', 'office', null),                  -- 环委办 (environmental committee office, not 环卫)
    ('JF-OFF-DUCHA', '解放区督查局', 'office', null)                        -- 督查局 (supervision bureau)
on conflict (code) do nothing;

-- ---------------------------------------------------------------------------------------------
-- Sites: 400 in all. Unit index u below follows this order:
--   1 焦西  2 焦南  3 焦北  4 七百间  5 民生  6 民主  7 新华  8 王褚  9 上白作  10 产业集聚区
-- A site's point is a bilinear interpolation of its unit's four corners with both parameters in
-- [0.12, 0.88], taken from a low-discrepancy (R2) sequence over the global site number g. Each
-- point is checked with ST_Covers against the unit's boundary before it is inserted.
-- ---------------------------------------------------------------------------------------------
do $seed$
declare
    u_codes text[] := array['JF-SD-JIAOXI', 'JF-SD-JIAONAN', 'JF-SD-JIAOBEI', 'JF-SD-QIBAIJIAN',
        'JF-SD-MINSHENG', 'JF-SD-MINZHU', 'JF-SD-XINHUA', 'JF-SD-WANGCHU', 'JF-SD-SHANGBAIZUO',
        'JF-PK-CYJJQ'];
    -- Three streets per unit (street names are real-sounding; their placement is illustrative).
    streets text[] := array[
        ['解放西路', '建设南路', '映湖路'],
        ['新华南街', '南环路', '花园路'],
        ['塔北路', '人民路', '站前路'],
        ['塔南路', '百间房街', '友谊路'],
        ['民主南路', '焦东南路', '迎宾路'],
        ['民主北路', '民主中路', '丰收路'],
        ['新华中街', '解放中路', '和平街'],
        ['王褚路', '丰收西路', '建设北路'],
        ['中原北路', '太行西路', '白作路'],
        ['工业路', '中原南路', '创业路']];
    -- Grassroots organisations per unit (responsible for back alleys).
    orgs text[] := array[
        ['映湖社区居委会', '西环社区居委会', '建南社区居委会'],
        ['花园社区居委会', '南环社区居委会', '新南社区居委会'],
        ['站前社区居委会', '塔北社区居委会', '北环社区居委会'],
        ['百间房社区居委会', '友谊社区居委会', '塔南社区居委会'],
        ['迎宾社区居委会', '民生社区居委会', '东环社区居委会'],
        ['丰收社区居委会', '民主社区居委会', '北山社区居委会'],
        ['和平社区居委会', '新华社区居委会', '解放社区居委会'],
        ['王褚社区居委会', '西王褚村村民委员会', '东王褚村村民委员会'],
        ['上白作村村民委员会', '下白作村村民委员会', '白作社区居委会'],
        ['解放区产业集聚区管理委员会', '产业集聚区企业服务中心', '产业集聚区规划建设部']];

    kinds text[] := array['restaurant', 'open_air_bbq', 'construction_site', 'bare_soil',
        'industrial_enterprise', 'shop_front', 'residential_compound', 'back_alley',
        'mall_supermarket', 'farmers_market'];
    counts int[] := array[90, 30, 40, 30, 40, 60, 40, 30, 20, 20];

    -- Unit patterns. General: park taken 1 time in 19. Industry: mostly the park and the west.
    gen_pat int[] := array[1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    ind_pat int[] := array[10, 9, 8, 10, 1, 10, 2, 5, 9, 10, 8, 10, 9, 10, 1, 10, 8, 9, 10, 2,
        5, 10, 9, 8, 10, 1, 10, 9, 10, 8, 10, 9, 2, 5, 10, 1, 10, 8, 9, 10];

    -- People and companies (invented).
    surnames text[] := array['王', '李', '张', '刘', '陈', '杨', '赵', '周', '吴', '徐', '孙', '马',
        '朱', '胡', '郭', '何', '高', '郑', '宋', '韩', '冯', '崔', '牛'];
    given text[] := array['建国', '秀英', '志强', '丽娟', '海涛', '红霞', '军', '桂兰', '国庆', '晓燕',
        '明亮', '春梅', '卫东', '玉兰', '振华', '淑芳', '俊杰', '新民', '彩霞'];
    phone_pre text[] := array['139', '138', '137', '136', '135', '158', '159', '187'];
    firm text[] := array['宏达', '鼎盛', '华建', '中泰', '恒基', '天宇', '润泽', '金鑫', '永安', '瑞丰',
        '鸿运', '嘉禾', '腾飞', '信诚', '中原', '怀川', '万和'];

    -- restaurant: 15 x 13 (coprime, so i % 15 and i % 13 give distinct pairs for i < 195).
    r_pre text[] := array['老焦作', '怀府', '山阳', '覃怀', '太行', '老李家', '王记', '张记', '刘家',
        '陈记', '豫香', '老城', '四季', '聚福', '郑记'];
    r_type text[] := array['烩面馆', '羊肉汤馆', '牛肉拉面', '饺子馆', '家常菜馆', '火锅店', '米线店',
        '驴肉火烧', '砂锅馆', '包子铺', '胡辣汤馆', '烤鸭店', '卤面馆'];
    -- open-air barbecue
    b_sn text[] := array['王', '李', '张', '刘', '陈', '杨', '赵', '周', '吴', '孙', '马'];
    b_fuel text[] := array['charcoal', 'charcoal', 'gas', 'electric'];
    -- construction: 4 rows of 10, row j is the j-th site of unit u (index j * 10 + u).
    c_names text[] := array[
        '怀府·壹号院二期项目工地', '锦华·天悦府项目工地', '焦作万达广场项目工地', '覃怀·翰林府项目工地',
        '东方·名郡三期项目工地', '盛世·华庭项目工地', '太行·御景苑项目工地', '王褚城中村改造一期项目工地',
        '上白作棚户区改造安置房项目工地', '产业集聚区标准化厂房三期项目工地',
        '解放西路雨污分流改造工程工地', '南环路道路拓宽工程工地', '站前路综合管廊工程工地',
        '塔南路道路提升改造工程工地', '焦东南路燃气管网改造工程工地', '丰收路道路提升改造工程工地',
        '解放中路管网改造工程工地', '丰收西路雨污分流改造工程工地', '太行西路绿化提升工程工地',
        '工业路道路改造工程工地',
        '焦西安置小区二期项目工地', '焦作市妇幼保健院新院区项目工地', '焦作市第一中学新校区项目工地',
        '七百间片区老旧小区改造项目工地', '民生街道便民服务中心项目工地', '解放区人民医院住院楼项目工地',
        '新华街老旧小区改造项目工地', '王褚小学教学楼项目工地', '上白作村文化广场项目工地',
        '产业集聚区污水处理厂扩建工程工地',
        '映湖·春晓项目工地', '花园路商业综合体项目工地', '人民路地下停车场项目工地', '友谊·锦苑项目工地',
        '迎宾·公馆项目工地', '民主中路商住楼项目工地', '和平街小学改扩建项目工地', '建设北路安置房项目工地',
        '中原北路物流园项目工地', '创业路孵化中心项目工地'];
    c_stage text[] := array['earthwork', 'foundation', 'main_structure', 'finishing'];
    -- bare soil
    corners text[] := array['东北角', '西北角', '东南角', '西南角'];
    sides text[] := array['北侧', '南侧', '东侧', '西侧'];
    -- industrial: 13 trade names x 11 lines of business (coprime).
    i_firm text[] := array['瑞丰', '金鑫', '宏达', '鼎盛', '中泰', '恒基', '天宇', '华兴', '润泽', '永安',
        '鸿运', '怀川', '太行'];
    i_suffix text[] := array['耐火材料有限公司', '铸造有限公司', '化工有限公司', '机械制造有限公司',
        '食品有限公司', '包装印刷有限公司', '家具有限公司', '建材有限公司', '汽车零部件有限公司',
        '塑料制品有限公司', '铝业有限公司'];
    i_industry text[] := array['耐火材料', '铸造', '化工', '机械加工', '食品加工', '包装印刷', '家具制造',
        '建材', '汽车零部件', '塑料制品', '铝材加工'];
    -- shop fronts (门前五包): 13 x 12 (coprime).
    s_pre text[] := array['惠民', '金鼎', '顺发', '鑫源', '诚信', '永盛', '福缘', '兴隆', '佳美', '华安',
        '德润', '百姓', '利民'];
    s_type text[] := array['便利店', '五金店', '美发店', '手机维修店', '汽修店', '大药房', '烟酒店',
        '水果店', '服装店', '文具店', '家电维修部', '干洗店'];
    -- residential compounds, back alleys, malls, farmers' markets: rows of 10 by unit.
    h_names text[] := array[
        '映湖小区', '花园小区', '站前小区', '百间房小区', '迎宾小区', '丰收小区', '和平小区', '王褚新村',
        '上白作安置小区', '产业集聚区职工公寓',
        '解放西路电厂家属院', '南环路税务局家属院', '站前路铁路家属院', '友谊新村', '民生花园',
        '民主中路机关家属院', '新华苑', '建设北路水泥厂家属院', '白作路供销社家属院', '创业路人才公寓',
        '建南小区', '花园路教师公寓', '塔北路农行家属院', '塔南路老干部家属院', '东环小区', '丰收路教育局家属院',
        '解放中路百货大楼家属院', '西王褚小区', '中原北路邮电家属院', '工业路化工厂家属院',
        '西环小区', '新南小区', '人民路一中家属院', '七百间社区综合楼', '迎宾路电业局家属院', '北山花园',
        '和平街医院家属院', '王褚路粮食局家属院', '太行苑', '中原南路蓝领公寓'];
    a_names text[] := array[
        '映湖西巷', '花园南巷', '站前后街', '百间房东巷', '迎宾后街', '丰收路北一巷', '和平街东胡同',
        '王褚村中心街', '上白作村南巷', '工业路北侧便道',
        '建设南路二巷', '南环路北胡同', '塔北路东二巷', '友谊路西巷', '民主南路东一巷', '民主中路西胡同',
        '新华中街后巷', '建设北路北三巷', '白作路东巷', '创业路西支路',
        '解放西路南一巷', '新华南街西巷', '人民路北胡同', '塔南路东三巷', '焦东南路西巷', '民主北路东二巷',
        '解放中路北巷', '丰收西路南胡同', '太行西路北巷', '中原南路东辅道'];
    m_names text[] := array[
        '焦西锦祥超市', '花园路福万家生活广场', '站前路国贸购物中心', '七百间百货大楼', '迎宾路华联超市',
        '丰收路商业广场', '解放中路百货大楼', '王褚惠万家超市', '上白作好又多超市', '产业集聚区便民超市',
        '建设南路乐万家超市', '南环路家家乐超市', '塔北路商贸城', '塔南路摩登街购物中心',
        '民主南路鑫源购物广场', '民主中路新世纪商场', '新华中街贵和商场', '建设北路丰源大卖场',
        '太行西路万佳超市', '创业路员工生活超市'];
    f_names text[] := array[
        '焦西农贸市场', '花园路农贸市场', '站前路农贸市场', '百间房菜市场', '迎宾路农贸市场', '丰收路农贸市场',
        '和平街菜市场', '王褚农贸市场', '上白作集贸市场', '工业路早市',
        '映湖路便民市场', '南环路蔬菜批发市场', '塔北路菜市场', '友谊路农贸市场', '焦东南路农贸市场',
        '民主北路便民菜市场', '新华中街早市', '丰收西路农贸市场', '白作路集贸市场', '中原南路农副产品批发市场'];

    u_ids bigint[] := array[]::bigint[];
    u_names text[] := array[]::text[];
    u_geom geometry[] := array[]::geometry[];
    cx float8[] := array_fill(0::float8, array[10, 4]);
    cy float8[] := array_fill(0::float8, array[10, 4]);
    jc int[];
    r record;
    ring geometry;
    g int := 0;
    i int; j int; k int; u int; n int;
    fu float8; fv float8; x float8; y float8;
    pt geometry;
    v_kind text; v_name text; v_addr text; v_status text; v_street text;
    v_person text; v_phone text; v_party text;
    v_attrs jsonb;
    v_credit text;
begin
    for u in 1 .. 10 loop
        select id, name, boundary into r from units where code = u_codes[u];
        if not found then
            raise exception 'seed-demo: unit % is missing', u_codes[u];
        end if;
        if r.boundary is null or ST_NumGeometries(r.boundary) <> 1
           or ST_NPoints(ST_ExteriorRing(ST_GeometryN(r.boundary, 1))) <> 9 then
            raise exception 'seed-demo: unit % exists but its boundary is not the demo octagon', u_codes[u];
        end if;
        u_ids := u_ids || r.id;
        u_names := u_names || r.name;
        u_geom := u_geom || r.boundary;
        ring := ST_ExteriorRing(ST_GeometryN(r.boundary, 1));
        for k in 1 .. 4 loop  -- SW, SE, NE, NW are ring points 1, 3, 5, 7
            cx[u][k] := ST_X(ST_PointN(ring, 2 * k - 1));
            cy[u][k] := ST_Y(ST_PointN(ring, 2 * k - 1));
        end loop;
    end loop;

    for k in 1 .. array_length(kinds, 1) loop
        v_kind := kinds[k];
        jc := array_fill(0, array[10]);
        for i in 0 .. counts[k] - 1 loop
            g := g + 1;
            if v_kind = 'industrial_enterprise' then
                u := ind_pat[i + 1];
            elsif v_kind in ('restaurant', 'open_air_bbq', 'shop_front') then
                u := gen_pat[i % 19 + 1];
            else
                u := i % 10 + 1;
            end if;
            j := jc[u];            -- j-th site of this kind in unit u
            jc[u] := j + 1;

            v_person := surnames[g % 23 + 1] || given[(g * 7) % 19 + 1];
            v_phone := phone_pre[g % 8 + 1] || lpad(((g::bigint * 48271 + 20241112) % 100000000)::text, 8, '0');
            v_street := streets[u][g % 3 + 1];
            n := 1 + (g * 53) % 401;   -- distinct house numbers for all g <= 400
            v_addr := '焦作市解放区' || v_street || n || '号';
            v_status := case when g % 31 = 17 then 'closed' else 'active' end;

            case v_kind
            when 'restaurant' then
                v_name := r_pre[i % 15 + 1] || r_type[i % 13 + 1];
                v_party := '焦作市解放区' || v_name;
                v_attrs := jsonb_build_object(
                    'has_fume_purifier', g % 5 <> 0,
                    'seats', 20 + ((g * 7) % 14) * 10);
            when 'open_air_bbq' then
                v_street := streets[u][j % 3 + 1];
                v_addr := '焦作市解放区' || v_street || n || '号门前';
                v_name := v_street || case i % 3
                    when 0 then '老' || b_sn[i % 11 + 1] || '烧烤摊'
                    when 1 then b_sn[i % 11 + 1] || '记烤串'
                    else '老' || b_sn[i % 11 + 1] || '家烤羊肉串' end;
                v_party := v_person;   -- stalls are run by individuals
                v_attrs := jsonb_build_object(
                    'grills', 1 + g % 3,
                    'fuel', b_fuel[g % 4 + 1],
                    'has_fume_purifier', b_fuel[g % 4 + 1] <> 'charcoal' and g % 2 = 0,
                    'night_only', true);
            when 'construction_site' then
                v_name := c_names[j * 10 + u];
                v_party := '焦作市' || firm[(g * 3) % 17 + 1]
                    || case when j = 1 then '市政工程有限公司' else '建筑工程有限公司' end;
                v_attrs := jsonb_build_object(
                    'permit_no', '410802' || to_char(date '2021-06-01' + (g * 37) % 1000, 'YYYYMMDD')
                        || lpad((g % 89 + 1)::text, 2, '0') || '01',
                    'area_m2', case when j = 1 then 3000 + ((g * 13) % 20) * 500
                                    else 8000 + ((g * 7919) % 90) * 1000 end,
                    'developer', case when j in (1, 2) then '焦作市解放区城市建设投资有限公司'
                                      else '焦作市' || firm[g % 17 + 1] || '置业有限公司' end,
                    'contractor', v_party,
                    'stage', case when v_status = 'closed' then 'completed' else c_stage[g % 4 + 1] end);
            when 'bare_soil' then
                if j = 0 then
                    v_addr := '焦作市解放区' || streets[u][1] || '与' || streets[u][2] || '交叉口' || corners[g % 4 + 1];
                    v_name := streets[u][1] || '与' || streets[u][2] || '交叉口' || corners[g % 4 + 1] || '裸露地块';
                    v_party := '焦作市解放区土地储备中心';
                elsif j = 1 then
                    v_addr := '焦作市解放区' || streets[u][2] || '与' || streets[u][3] || '交叉口' || corners[g % 4 + 1];
                    v_name := streets[u][2] || '与' || streets[u][3] || '交叉口' || corners[g % 4 + 1] || '拆迁地块';
                    v_party := case when u = 10 then orgs[10][1] else u_names[u] || '办事处' end;
                else
                    v_addr := '焦作市解放区' || streets[u][3] || sides[g % 4 + 1];
                    v_name := streets[u][3] || sides[g % 4 + 1] || '闲置空地';
                    v_party := '焦作市' || firm[(g * 5) % 17 + 1] || '置业有限公司';
                end if;
                v_attrs := jsonb_build_object(
                    'area_m2', 500 + ((g * 389) % 60) * 150,
                    'covered', g % 3 <> 0,
                    'land_use', (array['reserved', 'demolition', 'idle'])[j % 3 + 1]);
            when 'industrial_enterprise' then
                v_name := '焦作市' || i_firm[i % 13 + 1] || i_suffix[i % 11 + 1];
                v_party := v_name;
                -- 18-character unified social credit code: 91 + 410802 + 9-char org code + check char
                v_credit := '91410802MA' || lpad(((g * 7919) % 10000000)::text, 7, '0')
                    || substr('0123456789ABCDEFGHJKLMNPQRTUWXY', g % 31 + 1, 1);
                v_attrs := jsonb_build_object(
                    'industry', i_industry[i % 11 + 1],
                    'emission_permit_no', v_credit || '001P',
                    'permit_class', case when g % 3 = 0 then 'key' else 'simplified' end,
                    'employees', 30 + ((g * 17) % 40) * 10);
            when 'shop_front' then
                v_name := s_pre[i % 13 + 1] || s_type[i % 12 + 1];
                v_party := '焦作市解放区' || v_name;
                v_attrs := jsonb_build_object(
                    'business_type', s_type[i % 12 + 1],
                    'frontage_m', 4 + g % 9);
            when 'residential_compound' then
                v_name := h_names[j * 10 + u];
                v_party := case when v_name like '%家属院' or v_name like '%院'
                                then orgs[u][j % 3 + 1]
                                else '焦作市' || firm[(g * 11) % 17 + 1] || '物业服务有限公司' end;
                v_attrs := jsonb_build_object(
                    'households', 48 + ((g * 131) % 40) * 24,
                    'built_year', 1985 + (g * 7) % 36,
                    'has_property_management', not (v_name like '%院'));
            when 'back_alley' then
                v_name := a_names[j * 10 + u];
                v_addr := '焦作市解放区' || case when u = 10 then '产业集聚区' else u_names[u] end || v_name;
                v_party := orgs[u][j % 3 + 1];
                v_attrs := jsonb_build_object(
                    'length_m', 80 + ((g * 53) % 30) * 20,
                    'paved', g % 4 <> 0);
            when 'mall_supermarket' then
                v_name := m_names[j * 10 + u];
                v_party := '焦作市' || firm[(g * 13) % 17 + 1] || '商贸有限公司';
                v_attrs := jsonb_build_object(
                    'floor_area_m2', 800 + ((g * 211) % 50) * 600,
                    'floors', 1 + g % 5);
            when 'farmers_market' then
                v_name := f_names[j * 10 + u];
                v_party := '焦作市' || firm[(g * 7) % 17 + 1] || '市场管理有限公司';
                v_attrs := jsonb_build_object(
                    'stalls', 40 + ((g * 17) % 12) * 20,
                    'indoor', g % 3 <> 1);
            end case;

            -- A name that starts with one of the unit's streets puts the address on that street.
            if v_kind in ('construction_site', 'residential_compound', 'mall_supermarket', 'farmers_market') then
                for si in 1 .. 3 loop
                    if starts_with(v_name, streets[u][si]) then
                        v_addr := '焦作市解放区' || streets[u][si] || (1 + (g * 53) % 401) || '号';
                    end if;
                end loop;
            end if;

            -- Point strictly inside the unit: bilinear in the (convex) corner quadrilateral.
            fu := 0.12 + 0.76 * ((0.5 + g * 0.7548776662466927) - floor(0.5 + g * 0.7548776662466927));
            fv := 0.12 + 0.76 * ((0.5 + g * 0.5698402909980532) - floor(0.5 + g * 0.5698402909980532));
            x := (1 - fu) * (1 - fv) * cx[u][1] + fu * (1 - fv) * cx[u][2] + fu * fv * cx[u][3] + (1 - fu) * fv * cx[u][4];
            y := (1 - fu) * (1 - fv) * cy[u][1] + fu * (1 - fv) * cy[u][2] + fu * fv * cy[u][3] + (1 - fu) * fv * cy[u][4];
            pt := ST_SetSRID(ST_MakePoint(round(x::numeric, 6)::float8, round(y::numeric, 6)::float8), 4326);
            if not ST_Covers(u_geom[u], pt) then
                raise exception 'seed-demo: site % (%) falls outside %', g, v_name, u_codes[u];
            end if;

            insert into sites (kind, name, address, location, subdistrict_id, responsible_party, attributes, status)
            select v_kind, v_name, v_addr, pt::geography, u_ids[u],
                   jsonb_build_object('name', v_party, 'contact_name', v_person, 'phone', v_phone),
                   v_attrs, v_status
            where not exists (
                select 1 from sites s
                where s.kind = v_kind and s.name = v_name and s.subdistrict_id = u_ids[u]);
        end loop;
    end loop;
end
$seed$;

-- Default routing rules for the district (the office edits them with PUT /api/v1/rules/routing):
-- restaurants, barbecues and shop fronts → 城管 with the subdistrict; construction sites → 住建;
-- industrial enterprises → 生态环境分局 with 工信; bare soil → the subdistrict with 住建;
-- road dust and refuse → 环卫; farmers' markets and malls → 市场监管 with the subdistrict.
-- Anything no rule covers goes to the site's subdistrict (属地).
insert into routing_rules (site_kind, category, lead_unit_id, co_unit_ids, co_subdistrict)
select r.site_kind, r.category, lead.id,
       coalesce((select array_agg(u.id order by u.id) from units u
                 where u.code = any (r.co_codes)), '{}'),
       r.co_subdistrict
from (values
    ('restaurant', null, 'JF-DEPT-CHENGGUAN', array[]::text[], true),
    ('open_air_bbq', null, 'JF-DEPT-CHENGGUAN', array[]::text[], true),
    ('shop_front', null, 'JF-DEPT-CHENGGUAN', array[]::text[], true),
    ('construction_site', null, 'JF-DEPT-ZHUJIAN', array[]::text[], true),
    ('industrial_enterprise', null, 'JF-DEPT-SHENGTAI', array['JF-DEPT-GONGXIN'], true),
    ('bare_soil', null, null, array['JF-DEPT-ZHUJIAN'], false),
    ('farmers_market', null, 'JF-DEPT-SHICHANG', array[]::text[], true),
    ('mall_supermarket', null, 'JF-DEPT-SHICHANG', array[]::text[], true),
    (null, 'muck_truck_uncovered', 'JF-DEPT-CHENGGUAN', array['JF-DEPT-ZHUJIAN'], true),
    (null, 'garbage_accumulation', 'JF-DEPT-HUANWEI', array[]::text[], true)
) as r(site_kind, category, lead_code, co_codes, co_subdistrict)
left join units lead on lead.code = r.lead_code
where not exists (select 1 from routing_rules);
