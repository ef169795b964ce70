//! Meta's Graph API protocol, pure and IO-free.
//!
//! Everything here is shared by every endpoint: the `fields` language, parameter decoding,
//! cursors and paging envelopes, the error envelope and its catalogue, id shapes, API versions
//! and timestamp formatting. Nothing here touches the network, the disk or the system clock,
//! so it can be fuzzed and property-tested in isolation.

pub mod api;
pub mod error;
pub mod fields;
pub mod ids;
pub mod json;
pub mod mids;
pub mod paging;
pub mod params;
pub mod permission;
pub mod relaxed;
pub mod timefmt;
pub mod version;

pub use api::Api;
pub use error::GraphError;
pub use fields::{FieldRequest, FieldSelection, FieldsSyntaxError, Modifier};
pub use params::{ParamError, Params};
pub use permission::Permission;
pub use version::ApiVersion;
