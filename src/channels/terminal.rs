//! The terminal channel: `hienmau chat` talks to the same engine over stdin and stdout.
//! Options are numbered; the person answers by number or by word. Each message is flushed
//! at once, so the chat can be scripted through pipes.

use super::{ChannelKind, Inbound, Outbound, SendOutcome};
use crate::engine::Input;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Where the terminal's messages are printed (stdout, or a buffer in tests).
#[derive(Clone)]
pub struct TerminalOut {
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl TerminalOut {
    pub fn new(writer: Box<dyn Write + Send>) -> TerminalOut {
        TerminalOut {
            writer: Arc::new(Mutex::new(writer)),
        }
    }

    pub fn stdout() -> TerminalOut {
        TerminalOut::new(Box::new(std::io::stdout()))
    }

    pub fn send(&self, out: &Outbound) -> SendOutcome {
        match self.write_raw(&render(out)) {
            Ok(()) => SendOutcome::Sent {
                platform_message_id: None,
            },
            Err(e) => SendOutcome::Transient(format!("writing to the terminal: {e}")),
        }
    }

    /// The input prompt, shown only when a person types at a terminal.
    pub fn prompt(&self, p: &str) {
        let _ = self.write_raw(p);
    }

    /// Write and flush, so a pipe sees each message at once.
    pub fn write_raw(&self, text: &str) -> std::io::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(text.as_bytes())?;
        w.flush()
    }
}

/// The message as printed: its text, then its options numbered, then a blank line.
pub fn render(out: &Outbound) -> String {
    let mut s = String::with_capacity(out.text.len() + 64);
    s.push_str(&out.text);
    s.push('\n');
    s.push_str(&super::numbered(&out.choices));
    s.push('\n');
    s
}

/// A line typed by terminal user `user`.
pub fn inbound(user: &str, line: &str) -> Inbound {
    Inbound {
        channel: ChannelKind::Terminal,
        event_key: None,
        user: user.to_string(),
        chat_id: user.to_string(),
        input: Input::Text(line.trim_end_matches(['\r', '\n']).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::OutChoice;

    #[test]
    fn options_are_numbered() {
        let out = Outbound {
            text: "Bạn có đồng ý không?".into(),
            choices: vec![
                OutChoice {
                    value: "agree".into(),
                    label: "Đồng ý".into(),
                },
                OutChoice {
                    value: "disagree".into(),
                    label: "Không đồng ý".into(),
                },
            ],
            phone_button: Some("ignored here".into()),
            ..Outbound::default()
        };
        assert_eq!(
            render(&out),
            "Bạn có đồng ý không?\n  1. Đồng ý\n  2. Không đồng ý\n\n"
        );
    }

    #[test]
    fn lines_lose_their_line_endings() {
        assert_eq!(
            inbound("lan", "0912 345 678\r\n").input,
            Input::Text("0912 345 678".into())
        );
    }
}
