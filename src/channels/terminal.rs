//! The terminal channel: `hienmau chat` talks to the same engine over stdin and stdout.
//! Options are numbered; the person answers by number or by word. Each message is flushed
//! at once, so the chat can be scripted through pipes.

use super::{Channel, ChannelKind, Inbound, Outbound, SendOutcome};
use crate::engine::Input;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Where the terminal's messages are printed (stdout, or a buffer in tests).
#[derive(Clone)]
pub struct TerminalOut {
    writer: Arc<Mutex<Shown>>,
}

/// The writer, and the prompt now on screen waiting for the person's line (if any): a
/// message arriving meanwhile is printed over it and the prompt drawn again below.
struct Shown {
    writer: Box<dyn Write + Send>,
    prompt: Option<String>,
}

impl TerminalOut {
    pub fn new(writer: Box<dyn Write + Send>) -> TerminalOut {
        TerminalOut {
            writer: Arc::new(Mutex::new(Shown {
                writer,
                prompt: None,
            })),
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
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let _ = w
            .writer
            .write_all(p.as_bytes())
            .and_then(|_| w.writer.flush());
        w.prompt = Some(p.to_string());
    }

    /// The person pressed Enter: the prompt is no longer waiting on screen.
    pub fn line_read(&self) {
        self.writer.lock().unwrap_or_else(|e| e.into_inner()).prompt = None;
    }

    /// Write and flush, so a pipe sees each message at once. Over a waiting prompt, the
    /// line is cleared first and the prompt drawn again after.
    pub fn write_raw(&self, text: &str) -> std::io::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let Shown { writer, prompt } = &mut *w;
        match prompt {
            Some(p) => {
                // Carriage return, then erase the line (ANSI): only ever at a terminal.
                writer.write_all(b"\r\x1b[2K")?;
                writer.write_all(text.as_bytes())?;
                writer.write_all(p.as_bytes())?;
            }
            None => writer.write_all(text.as_bytes())?,
        }
        writer.flush()
    }
}

/// The message as printed: its text, then its options numbered, then a blank line.
/// Nothing in it acts on the terminal: a control character stored before text was made
/// plain at its edge (a club name of an older version) is printed as nothing.
pub fn render(out: &Outbound) -> String {
    use crate::domain::text::plain;
    let mut s = String::with_capacity(out.text.len() + 64);
    s.push_str(&plain(&out.text));
    s.push('\n');
    s.push_str(&plain(&super::numbered(&out.choices)));
    s.push('\n');
    s
}

/// A line typed by terminal user `user`.
pub fn inbound(user: &str, line: &str) -> Inbound {
    Inbound {
        channel: Channel::of(ChannelKind::Terminal),
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

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_message_over_a_waiting_prompt_redraws_it() {
        let buf = Buf::default();
        let out = TerminalOut::new(Box::new(buf.clone()));
        out.write_raw("Xin chào\n\n").unwrap();
        out.prompt("> ");
        out.write_raw("🔔 Nhắc lịch\n\n").unwrap();
        out.line_read();
        out.write_raw("Trả lời\n\n").unwrap();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "Xin chào\n\n> \r\x1b[2K🔔 Nhắc lịch\n\n> Trả lời\n\n");
    }

    #[test]
    fn lines_lose_their_line_endings() {
        assert_eq!(
            inbound("lan", "0912 345 678\r\n").input,
            Input::Text("0912 345 678".into())
        );
    }
}
