//! What the bridge measures and shows: latency histograms and counters in Prometheus text
//! (`/metrics`), and the status board behind the status page (satellites, last turns).

mod board;
mod histogram;
mod registry;
mod rejections;
mod telemetry;

pub use board::{SatelliteView, TurnView};
pub(crate) use registry::Gauges;
pub use registry::Stage;
pub use rejections::Rejections;
pub use telemetry::{LastError, Telemetry, now_ms};
