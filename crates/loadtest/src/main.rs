//! `loadtest`: the performance evidence for localgram.
//!
//! * `loadtest load` runs, in one process, a minimal axum server answering a fixed JSON body
//!   (the reference) and localgram with an in-memory store, then drives each in turn with a
//!   closed-loop load of N keep-alive HTTP/1.1 connections and prints requests/s and latency
//!   percentiles for both and their ratio.
//! * `loadtest startup` spawns the real `localgram` binary repeatedly and measures the time
//!   from spawn to the first answer, then its resident memory when idle.
//! * `loadtest publish` measures content publishing end to end (posts per second against a
//!   reference in the same run) and the server's memory while a large video is uploaded.
//! * `loadtest messaging` measures messages per second through the Send API to 1 and to 1,000
//!   conversations with every echo delivered to a loopback webhook, and memory over the run.
//! * `loadtest proxy` measures a node read through localgram's proxy (CONNECT, TLS, keep-alive)
//!   against the same read direct, in one run.
//!
//! * `loadtest node-read`, `reads-under-writes`, `growth` and `soak` measure issue #10's
//!   targets against the real `localgram` binary in its own process (`wrk` or this process as
//!   the generator), and `loadtest reference` is the minimal axum server alone in a process.
//!
//! * `loadtest outbox` measures issue #17's targets: write throughput with the webhook receiver
//!   up, down, answering 500 and delivery paused, with backlogs up to 100,000 (against an idle
//!   outbox in the same run), one account's deliveries while the others stall, the store's size
//!   before and after retention, and delivery-log page times by log size.
//!
//! All traffic goes to 127.0.0.1 only; every loop is bounded in time and in count.

mod client;
mod console;
mod hashtags;
mod insights;
mod issue10;
mod load;
mod messaging;
mod outbox;
mod proxy;
mod publish;
mod servers;
mod startup;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "loadtest",
    about = "Load and start-up measurements for localgram, against a minimal axum baseline"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Closed-loop load against the baseline and localgram, in one process (the default).
    Load(load::LoadArgs),
    /// Start-up time and idle resident memory of the real localgram binary.
    Startup(startup::StartupArgs),
    /// Publishing throughput end to end, and memory while uploading a large video.
    Publish(publish::PublishArgs),
    /// Send API throughput with every echo webhook delivered, and memory over the run.
    Messaging(messaging::MessagingArgs),
    /// A node read through the proxy (CONNECT, TLS, keep-alive) against the same read direct.
    Proxy(proxy::ProxyArgs),
    /// The minimal axum server answering fixed JSON, alone in this process (stops by itself).
    Reference(issue10::ReferenceArgs),
    /// Issue #10: node read at 64 connections against the reference, servers in their own
    /// processes, driven by wrk and by this process; SQLite, and PostgreSQL with --database.
    NodeRead(issue10::NodeReadArgs),
    /// Issue #10: node read latency alone and while connections post comments.
    ReadsUnderWrites(issue10::UnderWritesArgs),
    /// Issue #10: reads and pages in a small and a large store (built by snapshot import).
    Growth(issue10::GrowthArgs),
    /// Issue #10: mixed load for minutes with the server's resident memory sampled.
    Soak(issue10::SoakArgs),
    /// Issue #12: account and media insights for an account with 10,000 media and 100,000
    /// followers, against its node read.
    Insights(insights::InsightsArgs),
    /// Issue #17: writes with the webhook receiver up, down, answering 500 and paused, with
    /// backlogs up to 100,000; fairness; disk before and after retention; delivery-log pages.
    Outbox(outbox::OutboxArgs),
    /// Issue #15: every control API call of the console's pages with 100,000 media (built by
    /// `localgram seed`, timed too), against `GET /_localgram/clock` in the same run.
    Console(console::ConsoleArgs),
    /// Issue #13: a `recent_media` page over 1,000,000 media (p99 under 10 ms).
    Hashtags(hashtags::HashtagArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => load::run(load::LoadArgs::default()),
        Some(Command::Load(args)) => load::run(args),
        Some(Command::Startup(args)) => startup::run(args),
        Some(Command::Publish(args)) => publish::run(args),
        Some(Command::Messaging(args)) => messaging::run(args),
        Some(Command::Proxy(args)) => proxy::run(args),
        Some(Command::Reference(args)) => issue10::reference(args),
        Some(Command::NodeRead(args)) => issue10::node_read(args),
        Some(Command::ReadsUnderWrites(args)) => issue10::reads_under_writes(args),
        Some(Command::Growth(args)) => issue10::growth(args),
        Some(Command::Soak(args)) => issue10::soak(args),
        Some(Command::Outbox(args)) => outbox::run(args),
        Some(Command::Insights(args)) => insights::run(args),
        Some(Command::Console(args)) => console::run(args),
        Some(Command::Hashtags(args)) => hashtags::run(args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("loadtest: {message}");
            ExitCode::FAILURE
        }
    }
}
