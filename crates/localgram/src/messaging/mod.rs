//! Instagram messaging, shared by the Graph API (`api::messaging`, `api::conversations`,
//! `api::messenger_profile`, `api::welcome_flows`) and the control API (`sim::messaging`):
//! message ids, the windows and limits, reading message bodies, checking attachments, the
//! conversation and its notifications, the messenger profile and welcome flows.

pub mod body;
pub mod fetch;
pub mod flows;
pub mod group;
pub mod handover;
pub mod ids;
pub mod profile;
pub mod rules;
pub mod thread;

use crate::store::Reader;

use crate::nodes::NodeKind;
use crate::nodes::Target;
use crate::store::{
    conversations, igsids, message_attachments, messages, relationships, welcome_flows, StoreResult,
};

/// The account a messaging node belongs to, which decides who can see it.
pub fn owner_of(conn: &Reader, target: &Target) -> StoreResult<Option<String>> {
    Ok(match target.kind {
        NodeKind::Conversation => conversations::get(conn, &target.id)?.map(|c| c.account_id),
        NodeKind::Message => match messages::get(conn, &target.addressed_as)? {
            Some(m) => conversations::get(conn, &m.conversation_id)?.map(|c| c.account_id),
            None => None,
        },
        NodeKind::Igsid => match igsids::resolve(conn, &target.addressed_as)? {
            Some((_, account_id)) => Some(account_id),
            None => relationships::self_igsid_owner(conn, &target.addressed_as)?,
        },
        NodeKind::WelcomeFlow => welcome_flows::get(conn, &target.id)?.map(|f| f.account_id),
        NodeKind::MessageAttachment => {
            message_attachments::get(conn, &target.id)?.map(|a| a.account_id)
        }
        _ => None,
    })
}
