//! `localgram seed`: a large world (accounts, people, media with comments, conversations) from
//! flags or a seed file, sent to `POST /_localgram/seed` in batches with a progress bar.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{CliError, CliResult, Client, Target};

/// Media per request: one bounded transaction each, and a smooth bar.
const BATCH_MEDIA: usize = 2_000;

#[derive(Args, Debug)]
pub struct SeedArgs {
    /// A seed file (JSON): `{"accounts": 2, "people": 50, "media": 100000,
    /// "comments_per_media": 1, "conversations": 10, "messages_per_conversation": 3,
    /// "prefix": "seed"}`; flags given as well win.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// New accounts.
    #[arg(long)]
    pub accounts: Option<usize>,
    /// New people (they comment and write).
    #[arg(long)]
    pub people: Option<usize>,
    /// Media, spread over the accounts, one an hour back from now.
    #[arg(long)]
    pub media: Option<usize>,
    /// Comments on each media.
    #[arg(long)]
    pub comments_per_media: Option<usize>,
    /// Conversations per account.
    #[arg(long)]
    pub conversations: Option<usize>,
    /// Messages in each conversation.
    #[arg(long)]
    pub messages_per_conversation: Option<usize>,
    /// Usernames are PREFIX_shop_N and PREFIX_person_N.
    #[arg(long)]
    pub prefix: Option<String>,
}

/// What a seed file holds (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    accounts: Option<usize>,
    people: Option<usize>,
    media: Option<usize>,
    comments_per_media: Option<usize>,
    conversations: Option<usize>,
    messages_per_conversation: Option<usize>,
    prefix: Option<String>,
}

/// The world asked for: the file's values, overridden by the flags; by default two accounts,
/// twenty people, a hundred media with two comments each, five conversations of three
/// messages per account.
struct World {
    accounts: usize,
    people: usize,
    media: usize,
    comments_per_media: usize,
    conversations: usize,
    messages_per_conversation: usize,
    prefix: String,
}

fn world(args: &SeedArgs) -> CliResult<World> {
    let file = match &args.file {
        None => SeedFile::default(),
        Some(path) => {
            let text = std::fs::read(path)
                .map_err(|e| CliError::Local(format!("cannot read {}: {e}", path.display())))?;
            serde_json::from_slice(&text).map_err(|e| {
                CliError::Usage(format!("{} is not a seed file: {e}", path.display()))
            })?
        }
    };
    Ok(World {
        accounts: args.accounts.or(file.accounts).unwrap_or(2),
        people: args.people.or(file.people).unwrap_or(20),
        media: args.media.or(file.media).unwrap_or(100),
        comments_per_media: args
            .comments_per_media
            .or(file.comments_per_media)
            .unwrap_or(2),
        conversations: args.conversations.or(file.conversations).unwrap_or(5),
        messages_per_conversation: args
            .messages_per_conversation
            .or(file.messages_per_conversation)
            .unwrap_or(3),
        prefix: args
            .prefix
            .clone()
            .or(file.prefix)
            .unwrap_or_else(|| "seed".into()),
    })
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn run(client: &Client, target: &Target, args: SeedArgs) -> CliResult<()> {
    let world = world(&args)?;
    if world.accounts == 0 && (world.media > 0 || world.conversations > 0) {
        return Err(CliError::Usage(
            "media and conversations need at least one account (--accounts)".into(),
        ));
    }
    if world.people == 0 && (world.comments_per_media > 0 || world.conversations > 0) {
        return Err(CliError::Usage(
            "comments and conversations need at least one person (--people)".into(),
        ));
    }
    let started = Instant::now();
    let bar = ProgressBar::new(world.media as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:<24} [{bar:40}] {pos}/{len} media ({per_sec}, {eta} left)",
        )
        .map_err(|e| CliError::Local(e.to_string()))?
        .progress_chars("=> "),
    );
    // Accounts, people and conversations first: one call, then media in batches.
    bar.set_message("accounts and people");
    let first = client
        .post(
            "/seed",
            &json!({
                "prefix": world.prefix,
                "accounts": world.accounts,
                "people": world.people,
                "conversations": world.conversations,
                "messages_per_conversation": world.messages_per_conversation,
            }),
        )
        .await?;
    let account_ids = ids(&first["accounts"]);
    let person_ids = ids(&first["people"]);
    let mut comments = 0u64;
    bar.set_message("media and comments");
    let mut done = 0usize;
    while done < world.media {
        let count = BATCH_MEDIA.min(world.media - done);
        let answer = client
            .post(
                "/seed",
                &json!({
                    "account_ids": account_ids,
                    "person_ids": person_ids,
                    "media": count,
                    "comments_per_media": world.comments_per_media,
                    "first_index": done,
                }),
            )
            .await?;
        comments += answer["comments"].as_u64().unwrap_or(0);
        done += count;
        bar.set_position(done as u64);
    }
    bar.finish_and_clear();
    let summary = json!({
        "accounts": account_ids,
        "people": person_ids.len(),
        "media": done,
        "comments": comments,
        "conversations": first["conversations"],
        "messages": first["messages"],
        "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    });
    if target.json {
        println!("{summary}");
    } else {
        println!(
            "seeded {} accounts, {} people, {} media, {} comments, {} conversations, {} messages in {:.1} s",
            account_ids.len(),
            person_ids.len(),
            done,
            comments,
            first["conversations"],
            first["messages"],
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
