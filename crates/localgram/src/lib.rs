//! localgram: Meta's Instagram Platform API, implemented locally.
//!
//! One origin serves every Meta host the Instagram APIs use; state lives in an embedded store;
//! the control API under `/_localgram/` lets tests play everyone else. See docs/architecture.md.

pub mod access;
pub mod api;
pub mod apps;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod demo;
pub mod dispatch;
pub mod events;
pub mod faults;
pub mod hashtags;
pub mod http;
pub mod insights;
pub mod limits;
pub mod login;
pub mod messaging;
pub mod nodes;
pub mod proxy;
pub mod publishing;
pub mod router;
pub mod server;
pub mod shopping;
pub mod sim;
pub mod snapshot_file;
pub mod social;
pub mod state;
pub mod store;
pub mod webhooks;

pub use config::Config;
pub use server::{start, RunningServer};
