#pragma once

namespace lantian::sites {

/// A geographic position in decimal degrees; north and east are positive.
struct LatLon {
    double lat;
    double lon;
};

/// True where GCJ-02 is not applied (outside mainland China's rough bounding box); conversions are
/// identity there. The box (lat 0.8293..55.8271, lon 72.004..137.8347) is the one every public port
/// uses; it is not the border, so e.g. Seoul lies inside it and is shifted too.
bool OutsideChina(LatLon p);

/// Converts WGS-84 (GPS) to GCJ-02 ("Mars coordinates", what Chinese phone map SDKs report) with
/// the well-known public algorithm; the shift is a few hundred metres.
LatLon Wgs84ToGcj02(LatLon wgs);

/// Inverse of Wgs84ToGcj02 by fixed-point iteration, accurate to better than 1e-7 degrees (~1 cm).
/// Whether to shift is decided on the GCJ-02 input, as in the public ports.
LatLon Gcj02ToWgs84(LatLon gcj);

}  // namespace lantian::sites
