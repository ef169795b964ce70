//! The sample event of each field, as the App Dashboard's "Test" button sends it (ref 004
//! L2238-2244) and as the control API uses it when a test gives no event of its own. Values
//! come from the reference's samples where it prints concrete ones (mentions and story insights
//! 003 L148-188, the self postback 000 L2488-2499, the reaction 000 L2637-2642).

use crate::events::{
    Author, Comment, CommentMedia, Handover, Mention, Message, MessageEdit, Messaging,
    MessagingKind, Optin, Payload, PolicyEnforcement, Postback, Reaction, Read, Referral,
    ResponseFeedback, StoryInsights,
};

/// An Instagram message id, shaped like Meta's (base64 of an internal reference).
pub const SAMPLE_MID: &str = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAxOTA4MDA2NTQ0";
/// The person on the other side of sample messages: an Instagram-scoped id.
pub const SAMPLE_IGSID: &str = "5260147201987654";

fn comment() -> Comment {
    Comment {
        id: "17865799348089039".into(),
        text: Some("This is an example.".into()),
        from: Author {
            id: "232323232".into(),
            username: "test".into(),
            self_ig_scoped_id: None,
        },
        media: CommentMedia {
            id: "123123123".into(),
            media_product_type: "FEED".into(),
            ad_id: None,
            ad_title: None,
            original_media_id: None,
            owner_id: None,
        },
        parent_id: None,
    }
}

fn messaging(account_id: &str, now_ms: i64, kind: MessagingKind) -> Messaging {
    Messaging {
        sender_id: SAMPLE_IGSID.into(),
        recipient_id: account_id.into(),
        timestamp_ms: now_ms,
        is_self: false,
        kind,
    }
}

/// The sample event of `field` for `account_id` at `now_ms`, or `None` for an unknown field.
pub fn sample(field: &str, account_id: &str, now_ms: i64) -> Option<Payload> {
    let message = |text: &str| Message {
        mid: SAMPLE_MID.into(),
        text: Some(text.into()),
        ..Message::default()
    };
    Some(match field {
        "comments" => Payload::Comment(comment()),
        "live_comments" => Payload::LiveComment(comment()),
        "mentions" => Payload::Mention(Mention {
            media_id: "17918195224117851".into(),
            comment_id: Some("17894227972186120".into()),
            media_owner_id: None,
        }),
        "story_insights" => Payload::StoryInsights(StoryInsights {
            media_id: "18023345989012587".into(),
            exits: 1,
            replies: 0,
            reach: 17,
            taps_forward: 12,
            taps_back: 0,
            impressions: 28,
        }),
        "messages" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::Message(message("Hello")),
        )),
        // The self-messaging echo (000 L2440-2471): the account wrote to itself.
        "message_echoes" => Payload::Messaging(Messaging {
            sender_id: account_id.into(),
            recipient_id: SAMPLE_IGSID.into(),
            timestamp_ms: now_ms,
            is_self: true,
            kind: MessagingKind::Message(Message {
                is_echo: true,
                ..message("Hello")
            }),
        }),
        "message_reactions" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::Reaction(Reaction {
                mid: SAMPLE_MID.into(),
                action: "react".into(),
                reaction: Some("love".into()),
                emoji: Some("\u{2764}".into()),
            }),
        )),
        "messaging_postbacks" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::Postback(Postback {
                mid: SAMPLE_MID.into(),
                title: "Start Chatting".into(),
                payload: "DEVELOPER_DEFINED_PAYLOAD".into(),
            }),
        )),
        "messaging_seen" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::Read(Read {
                mid: SAMPLE_MID.into(),
            }),
        )),
        "message_edit" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::MessageEdit(MessageEdit {
                mid: SAMPLE_MID.into(),
                text: "Hello again".into(),
                num_edit: 1,
            }),
        )),
        "messaging_referral" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::Referral(Referral {
                reference: "summer_sale".into(),
                source: "SHORTLINK".into(),
                kind: "OPEN_THREAD".into(),
            }),
        )),
        "messaging_optins" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::Optin(Optin {
                kind: "notification_messages".into(),
                payload: Some("ADDITIONAL-INFORMATION".into()),
                title: Some("Weekly deals".into()),
                notification_messages_token: Some("1234567890123456789".into()),
                notification_messages_frequency: Some("WEEKLY".into()),
                notification_messages_timezone: Some("UTC".into()),
                token_expiry_timestamp: Some(now_ms + 180 * 86_400_000),
                user_token_status: Some("NOT_REFRESHED".into()),
                notification_messages_status: None,
            }),
        )),
        "messaging_handover" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::Handover(Handover {
                action: "pass_thread_control".into(),
                app_roles: None,
                new_owner_app_id: Some("123456789".into()),
                previous_owner_app_id: Some("987654321".into()),
                requested_owner_app_id: None,
                metadata: Some("Additional content that the caller wants to set".into()),
            }),
        )),
        "messaging_policy_enforcement" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::PolicyEnforcement(PolicyEnforcement {
                action: "block".into(),
                reason: Some("The app was blocked for violating Meta's policies".into()),
            }),
        )),
        "response_feedback" => Payload::Messaging(messaging(
            account_id,
            now_ms,
            MessagingKind::ResponseFeedback(ResponseFeedback {
                mid: SAMPLE_MID.into(),
                feedback: "Good response".into(),
            }),
        )),
        "standby" => Payload::Standby(messaging(
            account_id,
            now_ms,
            MessagingKind::Message(message("Hello")),
        )),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::fields::FIELDS;

    #[test]
    fn every_field_has_a_sample_of_its_own_field() {
        for field in FIELDS {
            let payload = sample(field.name, "17841400000000000", 1_000).unwrap();
            let expected = if field.name == "message_echoes" {
                "messages"
            } else {
                field.name
            };
            assert_eq!(payload.field(), expected);
        }
        assert!(sample("feed", "1", 0).is_none());
    }
}
