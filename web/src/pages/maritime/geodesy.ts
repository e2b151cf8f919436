// Geodesy on the WGS84 ellipsoid, written here so the measuring tool needs no server round trip.
// Distance: Vincenty's inverse formula (1975), iterated to 1e-12 rad (sub-millimetre); for nearly
// antipodal points where it does not converge, a spherical value (flagged) stands in.
// Area: exact on the authalic sphere (same surface area as the ellipsoid) after mapping each
// latitude to its authalic latitude; for harbour- and sea-sized polygons this differs from the
// ellipsoidal geodesic polygon by far less than 0.1 %.
const A = 6378137.0;
const F = 1 / 298.257223563;
const B = A * (1 - F);
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const RAD = Math.PI / 180;

export interface Inverse {
  m: number;
  az1: number; // initial bearing, degrees from north
  az2: number; // final bearing
  converged: boolean;
}

export function inverse(lat1: number, lon1: number, lat2: number, lon2: number): Inverse {
  const L = (lon2 - lon1) * RAD;
  const U1 = Math.atan((1 - F) * Math.tan(lat1 * RAD));
  const U2 = Math.atan((1 - F) * Math.tan(lat2 * RAD));
  const sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
  let lambda = L;
  let sinSigma = 0, cosSigma = 1, sigma = 0, cos2Alpha = 1, cos2SigmaM = 0, sinLambda = 0, cosLambda = 1;
  let converged = false;
  for (let i = 0; i < 200; i++) {
    sinLambda = Math.sin(lambda);
    cosLambda = Math.cos(lambda);
    const x = cosU2 * sinLambda;
    const y = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda;
    sinSigma = Math.sqrt(x * x + y * y);
    if (sinSigma === 0) return { m: 0, az1: 0, az2: 0, converged: true }; // same point
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
    cos2Alpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cos2Alpha !== 0 ? cosSigma - (2 * sinU1 * sinU2) / cos2Alpha : 0; // equatorial line
    const C = (F / 16) * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
    const prev = lambda;
    lambda = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (Math.abs(lambda - prev) < 1e-12) {
      converged = true;
      break;
    }
  }
  if (!converged) return sphere(lat1, lon1, lat2, lon2);
  const u2 = (cos2Alpha * (A * A - B * B)) / (B * B);
  const bigA = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
  const bigB = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
  const deltaSigma =
    bigB * sinSigma * (cos2SigmaM + (bigB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) - (bigB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
  const m = B * bigA * (sigma - deltaSigma);
  const az1 = Math.atan2(cosU2 * sinLambda, cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) / RAD;
  const az2 = Math.atan2(cosU1 * sinLambda, -sinU1 * cosU2 + cosU1 * sinU2 * cosLambda) / RAD;
  return { m, az1: (az1 + 360) % 360, az2: (az2 + 360) % 360, converged: true };
}

function sphere(lat1: number, lon1: number, lat2: number, lon2: number): Inverse {
  const R = 6371008.8;
  const p1 = lat1 * RAD, p2 = lat2 * RAD, dl = (lon2 - lon1) * RAD;
  const h = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  const az = Math.atan2(Math.sin(dl) * Math.cos(p2), Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl)) / RAD;
  return { m: 2 * R * Math.asin(Math.min(1, Math.sqrt(h))), az1: (az + 360) % 360, az2: (az + 180) % 360, converged: false };
}

/** Length of a line through points [lon, lat] (metres). */
export function pathLength(points: [number, number][]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += inverse(points[i - 1][1], points[i - 1][0], points[i][1], points[i][0]).m;
  return total;
}

// authalic radius and latitude
const QP = 1 + ((1 - E2) / (2 * E)) * Math.log((1 + E) / (1 - E));
const R_AUTH = A * Math.sqrt(QP / 2);
function q(phi: number): number {
  const s = Math.sin(phi);
  return (1 - E2) * (s / (1 - E2 * s * s) - (1 / (2 * E)) * Math.log((1 - E * s) / (1 + E * s)));
}
function authalic(latDeg: number): number {
  return Math.asin(Math.max(-1, Math.min(1, q(latDeg * RAD) / QP)));
}

/** Area of a polygon ring [lon, lat] (closed or not), square metres, always positive. */
export function ringArea(ring: [number, number][]): number {
  const pts = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring;
  if (pts.length < 3) return 0;
  // spherical excess by the trapezoid rule on the sphere: sum (lon2 - lon1) * (2 + sin b1 + sin b2)
  let sum = 0;
  for (let i = 0; i < pts.length; i++) {
    const [lonA, latA] = pts[i];
    const [lonB, latB] = pts[(i + 1) % pts.length];
    let dl = (lonB - lonA) * RAD;
    if (dl > Math.PI) dl -= 2 * Math.PI;
    if (dl < -Math.PI) dl += 2 * Math.PI;
    const b1 = authalic(latA), b2 = authalic(latB);
    sum += 2 * Math.atan2(Math.tan(dl / 2) * (Math.tan(b1 / 2) + Math.tan(b2 / 2)), 1 + Math.tan(b1 / 2) * Math.tan(b2 / 2));
  }
  return Math.abs(sum) * R_AUTH * R_AUTH;
}

/** Distance in the three units the tool shows. */
export function fmtDistance(m: number): string {
  const metres = m < 10000 ? `${m.toFixed(1)} m` : `${(m / 1000).toFixed(3)} km`;
  return `${metres} · ${(m / 1000).toFixed(3)} km · ${(m / 1852).toFixed(3)} NM`;
}

export function fmtArea(m2: number): string {
  return `${Math.round(m2).toLocaleString()} m² · ${(m2 / 1e6).toFixed(4)} km² · ${(m2 / (1852 * 1852)).toFixed(4)} NM²`;
}
