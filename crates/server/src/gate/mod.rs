//! The event gate: the service (decisions, their log, the live feed), whether `serve` mounts it,
//! and the gate run alone (`synerise-auth gate`). Its HTTP routes are in `routes::gate`.

mod alone;
mod mount;
mod service;

pub use alone::{DEFAULT_GATE_LISTEN, GateApplication, GateSettings};
pub(crate) use mount::serve_gate_settings;
pub(crate) use service::open_for_serve;
pub use service::{GateNotes, GateService};
