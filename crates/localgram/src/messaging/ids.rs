//! Message ids (`mid`): their shape is protocol, so it lives in `graph::mids`, where the store
//! can decode a mid too.

pub use graph::mids::*;
