//! The event gate: whether `serve` mounts it, and the gate run alone (`synerise-auth gate`). The
//! service (decisions, their log, the live feed) is the application crate's; its HTTP routes are
//! in `routes::gate`.

mod alone;
mod mount;

pub use alone::{DEFAULT_GATE_LISTEN, GateApplication, GateSettings};
pub(crate) use mount::serve_gate_settings;
pub(crate) use synerise_auth_app::open_for_serve;
pub use synerise_auth_app::{GateNotes, GateService};
