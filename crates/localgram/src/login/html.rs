//! The HTML of the login dialogs: small, accessible pages a person (or a browser test) can use.
//! Everything echoed from a request is escaped.

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// One person or account the dialog offers.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub detail: String,
}

/// One permission the app asks for.
pub struct Permission {
    pub name: String,
    /// Required permissions cannot be unticked.
    pub required: bool,
}

pub struct Dialog<'a> {
    pub title: &'a str,
    pub brand: &'a str,
    pub app_name: &'a str,
    pub action: &'a str,
    pub hidden: Vec<(&'a str, String)>,
    pub choice_name: &'a str,
    pub choice_legend: &'a str,
    pub choices: Vec<Choice>,
    pub permissions: Vec<Permission>,
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#fafafa;margin:0}\
main{max-width:28rem;margin:3rem auto;background:#fff;border:1px solid #dbdbdb;border-radius:8px;padding:1.5rem 2rem}\
h1{font-size:1.25rem}fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600;margin-bottom:.5rem}\
label{display:block;margin:.35rem 0}small{color:#737373}.actions{display:flex;gap:.75rem;margin-top:1.5rem}\
button{flex:1;padding:.6rem;border-radius:6px;border:1px solid #0095f6;font-size:1rem;cursor:pointer}\
button[value=allow]{background:#0095f6;color:#fff}button[value=cancel]{background:#fff;color:#0095f6}";

pub fn render(dialog: &Dialog) -> String {
    let mut html = String::new();
    html.push_str(&format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><main>",
        escape(dialog.title)
    ));
    html.push_str(&format!("<p><small>{}</small></p>", escape(dialog.brand)));
    html.push_str(&format!(
        "<h1>{} wants to access your account</h1>",
        escape(dialog.app_name)
    ));
    html.push_str(&format!(
        "<form method=\"post\" action=\"{}\">",
        escape(dialog.action)
    ));
    for (name, value) in &dialog.hidden {
        html.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        ));
    }
    html.push_str(&format!(
        "<fieldset><legend>{}</legend>",
        escape(dialog.choice_legend)
    ));
    for (i, choice) in dialog.choices.iter().enumerate() {
        html.push_str(&format!(
            "<label><input type=\"radio\" name=\"{}\" value=\"{}\"{}> {} <small>{}</small></label>",
            escape(dialog.choice_name),
            escape(&choice.value),
            if i == 0 { " checked" } else { "" },
            escape(&choice.label),
            escape(&choice.detail)
        ));
    }
    html.push_str("</fieldset><fieldset><legend>Permissions</legend>");
    for permission in &dialog.permissions {
        if permission.required {
            html.push_str(&format!(
                "<label><input type=\"checkbox\" checked disabled> {} <small>required</small><input type=\"hidden\" name=\"grant\" value=\"{}\"></label>",
                escape(&permission.name),
                escape(&permission.name)
            ));
        } else {
            html.push_str(&format!(
                "<label><input type=\"checkbox\" name=\"grant\" value=\"{}\" checked> {}</label>",
                escape(&permission.name),
                escape(&permission.name)
            ));
        }
    }
    html.push_str(
        "</fieldset><div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>\
         <button type=\"submit\" name=\"action\" value=\"allow\">Allow</button></div></form></main></body></html>",
    );
    html
}

/// A dialog error page (a bad app id, a redirect URI the app did not register, ...).
pub fn error_page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head>\
         <body><main><h1>{t}</h1><p>{m}</p></main></body></html>",
        t = escape(title),
        m = escape(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn nothing_echoed_escapes_the_page() {
        let page = render(&Dialog {
            title: "t",
            brand: "Instagram",
            app_name: "<script>alert(1)</script>",
            action: "/oauth/authorize",
            hidden: vec![("state", "\"><script>x</script>".into())],
            choice_name: "account_id",
            choice_legend: "Account",
            choices: vec![Choice {
                value: "1".into(),
                label: "<b>".into(),
                detail: "".into(),
            }],
            permissions: vec![Permission {
                name: "a\"b".into(),
                required: false,
            }],
        });
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
    }
}
