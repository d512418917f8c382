// Geometry the tests compute on their own, to check the server's answers independently.

/// Great-circle distance in metres (mean Earth radius; within ~0.5 % of the spheroid).
export function haversineM(a, b) {
  const r = 6_371_008.8;
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

// The published GCJ-02 forward transform (Krasovsky 1940 constants), written here from the
// public formula so that the server's inverse is checked against something it did not produce.
function transformLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function transformLon(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

export function wgs84ToGcj02({ lat, lon }) {
  const a = 6378245.0;
  const ee = 0.00669342162296594323;
  const x = lon - 105;
  const y = lat - 35;
  const radLat = (lat / 180) * Math.PI;
  const magic = 1 - ee * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (transformLat(x, y) * 180) / (((a * (1 - ee)) / (magic * sqrtMagic)) * Math.PI);
  const dLon = (transformLon(x, y) * 180) / ((a / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: lat + dLat, lon: lon + dLon };
}

// Points well inside the demo district's tiles (services/seed/demo_district.sql), hundreds of
// metres from any boundary.
export const DEMO = {
  qibaijian: { code: 'JF-SD-QIBAIJIAN', name: '七百间街道', point: { lat: 35.2150, lon: 113.2200 } },
  jiaobei: { code: 'JF-SD-JIAOBEI', name: '焦北街道', point: { lat: 35.2600, lon: 113.2200 } },
  minsheng: { code: 'JF-SD-MINSHENG', name: '民生街道', point: { lat: 35.2200, lon: 113.2600 } },
  // Outside every tile: south-west of the district.
  outside: { lat: 35.1000, lon: 113.1000 },
};
