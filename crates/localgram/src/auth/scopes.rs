//! Permission names as strings, for the callers that still hold them as strings: the store's
//! webhook scope reading and the control API's validation. Everything else uses
//! [`graph::Permission`]; these go once `store/` and `sim/` take the enum.

pub use graph::permission::{effective_name as effective, KNOWN};
