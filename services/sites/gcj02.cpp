#include "sites/gcj02.hpp"

#include <cmath>
#include <numbers>

namespace lantian::sites {

namespace {

// GCJ-02 is defined on the Krasovsky 1940 ellipsoid, not WGS-84's; these are the constants every
// public port (eviltransform, coordtransform, the Android SDK ports) uses, and the published test
// vectors only reproduce with exactly these.
constexpr double kSemiMajorAxis = 6378245.0;
constexpr double kEccentricitySquared = 0.00669342162296594323;

// Fixed-point iteration contracts by a factor of roughly 1e-3 per round, so it settles in three or
// four rounds; the cap only guards against non-finite input looping for nothing.
constexpr int kMaxInverseIterations = 30;
constexpr double kInverseTolerance = 1e-9;  // degrees, ~0.1 mm

constexpr double kPi = std::numbers::pi;

// The obfuscation polynomials, in metres on the ellipsoid, of the offset from (105E, 35N).
double TransformLat(double x, double y) {
    double ret =
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
    ret += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
    ret += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
    return ret;
}

double TransformLon(double x, double y) {
    double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
    ret += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
    ret += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
    return ret;
}

// The GCJ-02 shift, in degrees, that applies at WGS-84 position `p` (no bounding-box check, so the
// inverse iteration stays on one smooth function even near the box's edge).
LatLon Offset(LatLon p) {
    const double x = p.lon - 105.0;
    const double y = p.lat - 35.0;
    const double rad_lat = p.lat / 180.0 * kPi;
    const double sin_lat = std::sin(rad_lat);
    const double magic = 1.0 - kEccentricitySquared * sin_lat * sin_lat;
    const double sqrt_magic = std::sqrt(magic);
    // Metres to degrees via the meridian and prime-vertical radii of curvature.
    const double d_lat =
        (TransformLat(x, y) * 180.0) /
        ((kSemiMajorAxis * (1.0 - kEccentricitySquared)) / (magic * sqrt_magic) * kPi);
    const double d_lon =
        (TransformLon(x, y) * 180.0) / (kSemiMajorAxis / sqrt_magic * std::cos(rad_lat) * kPi);
    return {d_lat, d_lon};
}

}  // namespace

bool OutsideChina(LatLon p) {
    return p.lon < 72.004 || p.lon > 137.8347 || p.lat < 0.8293 || p.lat > 55.8271;
}

LatLon Wgs84ToGcj02(LatLon wgs) {
    if (OutsideChina(wgs)) return wgs;
    const LatLon d = Offset(wgs);
    return {wgs.lat + d.lat, wgs.lon + d.lon};
}

LatLon Gcj02ToWgs84(LatLon gcj) {
    if (OutsideChina(gcj)) return gcj;
    // Solve wgs + Offset(wgs) == gcj. The one-step "gcj - Offset(gcj)" that many ports ship is off
    // by metres because the offset varies with position; iterating on the residual removes that.
    LatLon wgs = gcj;
    for (int i = 0; i < kMaxInverseIterations; ++i) {
        const LatLon d = Offset(wgs);
        const double r_lat = wgs.lat + d.lat - gcj.lat;
        const double r_lon = wgs.lon + d.lon - gcj.lon;
        wgs.lat -= r_lat;
        wgs.lon -= r_lon;
        // Correct first, then test: the error left after this step is ~1e-3 of the residual.
        if (std::abs(r_lat) < kInverseTolerance && std::abs(r_lon) < kInverseTolerance) break;
    }
    return wgs;
}

}  // namespace lantian::sites
