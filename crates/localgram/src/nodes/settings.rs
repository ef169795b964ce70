//! What endpoints about an app's settings answer, described like nodes so `fields` selects and
//! expands them: webhook subscriptions (`/{app-id}/subscriptions`, ref 004 L2282-2310), the
//! apps an account enabled (`subscribed_apps`, 004 L2247-2265), a person's permissions
//! (`/me/permissions`) and welcome message flows (000 L977-1087).

use super::{field, Apis, FieldKind::*, NodeType};

/// One object's webhook configuration.
#[rustfmt::skip]
pub static APP_SUBSCRIPTION: NodeType = NodeType {
    name: "ApplicationSubscription",
    metadata_type: "applicationsubscription",
    defaults: &[],
    fields: &[
        field("object", Scalar, "string", Apis::Both, "The object the configuration is for: instagram."),
        field("callback_url", Scalar, "string", Apis::Both, "Where notifications go."),
        field("active", Scalar, "bool", Apis::Both, "Whether notifications are sent."),
        field("fields", Objects(&SUBSCRIBED_FIELD), "list", Apis::Both, "The fields subscribed to, with the version each was subscribed with."),
    ],
};

#[rustfmt::skip]
pub static SUBSCRIBED_FIELD: NodeType = NodeType {
    name: "ApplicationSubscriptionField",
    metadata_type: "applicationsubscriptionfield",
    defaults: &[],
    fields: &[
        field("name", Scalar, "string", Apis::Both, "The field's name."),
        field("version", Scalar, "string", Apis::Both, "The API version it was subscribed with."),
    ],
};

/// An app an account (or its Page) enabled.
#[rustfmt::skip]
pub static SUBSCRIBED_APP: NodeType = NodeType {
    name: "Application",
    metadata_type: "application",
    defaults: &[],
    fields: &[
        field("name", Scalar, "string", Apis::Both, "The app's name."),
        field("id", Scalar, "numeric string", Apis::Both, "The app's ID."),
        field("subscribed_fields", Scalar, "list<string>", Apis::Both, "The fields the account enabled."),
    ],
};

/// A permission and whether it is granted.
#[rustfmt::skip]
pub static PERMISSION: NodeType = NodeType {
    name: "Permission",
    metadata_type: "permission",
    defaults: &[],
    fields: &[
        field("permission", Scalar, "string", Apis::Both, "The permission's name."),
        field("status", Scalar, "string", Apis::Both, "granted or declined."),
    ],
};

/// A welcome message flow (ref 000 L1000-1020).
#[rustfmt::skip]
pub static WELCOME_FLOW: NodeType = NodeType {
    name: "CTXPartnerAppWelcomeMessageFlow",
    metadata_type: "ctxpartnerappwelcomemessageflow",
    defaults: &[],
    fields: &[
        field("name", Scalar, "string", Apis::Both, "The flow's name."),
        field("eligible_platforms", Scalar, "list<string>", Apis::Both, "Where the flow runs: INSTAGRAM."),
        field("welcome_message_flow", Scalar, "string", Apis::Both, "The flow's steps, as a JSON string."),
        field("last_update_time", Scalar, "datetime", Apis::Both, "When the flow last changed."),
        field("is_used_in_ad", Scalar, "bool", Apis::Both, "Whether an ad uses the flow."),
        field("id", Scalar, "numeric string", Apis::Both, "The flow's ID."),
    ],
};
