//! The Endpoint screen (product §13, last bullet): start and stop the HTTP endpoint from the
//! console, watch its requests live, and copy a ready-to-paste snippet for each SDK pointed at
//! it with a chosen principal's AccessKey. The worker owns the running endpoint
//! ([`crate::tui::runtime::endpoint_worker`]); this screen only holds what it shows. The AccessKeySecret never
//! reaches it: the worker fills the copied snippet, and the screen shows a masked secret.

pub(in crate::tui) mod view;

use std::net::SocketAddr;

use crossterm::event::KeyEvent;

use crate::core::secret::SecretString;
use crate::serve::LoggedRequest;

use crate::tui::action::Effect;
use crate::tui::context::Cx;
use crate::tui::form::field::TextField;
use crate::tui::job::{Job, PendingKind};
use crate::tui::keymap::{Cmd, Layer};
use crate::tui::modals::Modal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::picker::{PickItem, PickTarget, Picker};
use crate::tui::modals::toast::Level;
use crate::tui::screens::Out;
use crate::tui::vault_view::VaultView;

/// The address the console offers first (the default of `kms-console serve --listen`).
pub const DEFAULT_LISTEN: &str = crate::serve::snippets::TEMPLATE_ENDPOINT;

/// What the screen says when no principal has an AccessKey.
pub const NO_ACCESS_KEY: &str =
    "No principal has an AccessKey: kms-console principal access-key create NAME";

/// Where the endpoint is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointState {
    Stopped,
    Starting,
    Running(SocketAddr),
    Stopping,
}

/// The screen's state.
#[derive(Debug, Clone)]
pub struct EndpointScreen {
    pub state: EndpointState,
    /// The listen address, as typed.
    pub listen: TextField,
    /// The address before editing began (`esc` puts it back); `Some` while editing.
    pub editing: Option<String>,
    /// The latest requests, oldest first (as the endpoint logs them).
    pub requests: Vec<LoggedRequest>,
    /// Which of `serve::snippets::ALL` shows.
    pub snippet: usize,
    /// Which of the principals that have an AccessKey the snippet uses.
    pub principal: usize,
    /// How far the snippet is scrolled down.
    pub scroll: u16,
}

impl Default for EndpointScreen {
    fn default() -> Self {
        let mut listen = TextField::scrolling(DEFAULT_LISTEN);
        listen.set(DEFAULT_LISTEN);
        Self {
            state: EndpointState::Stopped,
            listen,
            editing: None,
            requests: Vec::new(),
            snippet: 0,
            principal: 0,
            scroll: 0,
        }
    }
}

impl EndpointScreen {
    /// The screen's key layer.
    pub fn layer(&self) -> Layer {
        if self.editing.is_some() {
            Layer::EndpointAddress
        } else {
            Layer::Endpoint
        }
    }

    /// The address the snippets point at: where it listens, or where it would.
    pub fn address(&self) -> String {
        match self.state {
            EndpointState::Running(at) => at.to_string(),
            _ => self.listen.text().trim().to_owned(),
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, EndpointState::Running(_))
    }

    pub fn input(&mut self, key: KeyEvent) {
        self.listen.input(key);
    }

    pub fn paste(&mut self, text: &str) {
        self.listen.paste(text);
    }
}

/// The listen address typed, if the console may listen there: loopback only (other addresses
/// are for `kms-console serve --allow-remote`, which warns).
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let address: SocketAddr = text.trim().parse().map_err(|_| {
        format!(
            "“{}” is not an address and port like {DEFAULT_LISTEN}",
            text.trim()
        )
    })?;
    if !address.ip().is_loopback() {
        return Err(format!(
            "the console listens on loopback only (127.0.0.1 or ::1), not {}; \
             for other addresses run kms-console serve --listen {address} --allow-remote",
            address.ip()
        ));
    }
    Ok(address)
}

impl EndpointScreen {
    /// The principals with an AccessKey, with their first AccessKeyId: those a snippet can
    /// sign as.
    pub fn principals(view: &VaultView) -> Vec<(&str, &str)> {
        view.principals
            .iter()
            .filter_map(|p| {
                p.access_key_ids
                    .first()
                    .map(|k| (p.name.as_str(), k.as_str()))
            })
            .collect()
    }

    /// The principal (and its AccessKeyId) the snippets sign as, if any has an AccessKey.
    pub fn access_key<'v>(&self, view: &'v VaultView) -> Option<(&'v str, &'v str)> {
        let all = Self::principals(view);
        let n = all.len().max(1);
        all.get(self.principal % n).copied()
    }

    /// A key of the Endpoint screen (or of its address field, in `Layer::EndpointAddress`).
    pub fn update(&mut self, layer: Layer, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        if layer == Layer::EndpointAddress {
            match cmd {
                Cmd::Confirm => self.editing = None,
                Cmd::Cancel => {
                    if let Some(before) = self.editing.take() {
                        self.listen.set(&before);
                    }
                }
                _ => {}
            }
            return Vec::new();
        }
        match cmd {
            Cmd::Submit => self.start(),
            Cmd::Stop => self.stop(),
            Cmd::Edit if self.state == EndpointState::Stopped => {
                self.editing = Some(self.listen.text());
                Vec::new()
            }
            Cmd::Edit => vec![Out::toast(
                Level::Info,
                "Stop the endpoint to change its address",
            )],
            Cmd::CycleNext | Cmd::CyclePrev => {
                let n = crate::serve::snippets::ALL.len();
                let step = if cmd == Cmd::CycleNext { 1 } else { n - 1 };
                self.snippet = (self.snippet + step) % n;
                self.scroll = 0;
                Vec::new()
            }
            Cmd::Pick => self.pick(cx.view),
            Cmd::Up => {
                self.scroll = self.scroll.saturating_sub(1);
                Vec::new()
            }
            Cmd::Down => {
                let lines = crate::serve::snippets::ALL
                    .get(self.snippet)
                    .map_or(0, |s| s.template.lines().count());
                let last = u16::try_from(lines).unwrap_or(u16::MAX);
                self.scroll = (self.scroll + 1).min(last);
                Vec::new()
            }
            Cmd::CopyDocument => self.copy(cx.view),
            _ => Vec::new(),
        }
    }

    fn pick(&self, view: &VaultView) -> Vec<Out> {
        let items: Vec<PickItem> = Self::principals(view)
            .into_iter()
            .map(|(name, access_key_id)| PickItem {
                label: name.to_owned(),
                detail: access_key_id.to_owned(),
                value: name.to_owned(),
            })
            .collect();
        if items.is_empty() {
            return vec![Out::toast(Level::Warn, NO_ACCESS_KEY)];
        }
        let title = "Principal for the snippets (those with an AccessKey)".to_owned();
        let mut picker = Picker::new(title, items, PickTarget::EndpointPrincipal);
        picker.selected = self.principal % picker.items.len();
        vec![Out::Modal(Modal::Picker(picker))]
    }

    /// The principal picked for the snippets.
    pub fn picked(&mut self, name: &str, view: &VaultView) {
        if let Some(i) = Self::principals(view).iter().position(|(n, _)| *n == name) {
            self.principal = i;
        }
    }

    fn start(&mut self) -> Vec<Out> {
        if self.state != EndpointState::Stopped {
            return vec![Out::toast(Level::Info, "The endpoint is already running")];
        }
        match parse_listen(&self.listen.text()) {
            Ok(listen) => {
                self.state = EndpointState::Starting;
                vec![Out::Run(
                    Job::StartEndpoint { listen },
                    PendingKind::EndpointStart,
                )]
            }
            Err(why) => failed(&why),
        }
    }

    /// Stops a running endpoint (it finishes the requests it is answering).
    pub fn stop(&mut self) -> Vec<Out> {
        if !self.is_running() {
            return Vec::new();
        }
        self.state = EndpointState::Stopping;
        vec![Out::Run(Job::StopEndpoint, PendingKind::EndpointStop)]
    }

    fn copy(&self, view: &VaultView) -> Vec<Out> {
        let Some((_, access_key_id)) = self.access_key(view) else {
            return vec![Out::toast(Level::Warn, NO_ACCESS_KEY)];
        };
        let job = Job::EndpointSnippet {
            snippet: self.snippet,
            address: self.address(),
            access_key_id: access_key_id.to_owned(),
        };
        vec![Out::Run(job, PendingKind::EndpointSnippet)]
    }

    /// The worker started the endpoint, or could not.
    pub fn started(&mut self, started: Result<SocketAddr, String>) -> Vec<Out> {
        match started {
            Ok(at) => {
                self.state = EndpointState::Running(at);
                self.requests.clear();
                vec![Out::toast(
                    Level::Success,
                    format!("The endpoint listens at http://{at}"),
                )]
            }
            Err(why) => {
                self.state = EndpointState::Stopped;
                failed(&why)
            }
        }
    }

    /// The worker stopped the endpoint.
    pub fn stopped(&mut self) -> Vec<Out> {
        self.state = EndpointState::Stopped;
        vec![Out::toast(Level::Info, "The endpoint stopped")]
    }

    /// The snippet the worker filled (with the secret): onto the clipboard.
    pub fn snippet_filled(&self, filled: Result<SecretString, String>) -> Vec<Out> {
        match filled {
            Ok(text) => {
                let title = crate::serve::snippets::ALL
                    .get(self.snippet)
                    .map_or("", |s| s.title);
                vec![
                    Out::toast(
                        Level::Success,
                        format!("Copied the snippet for {title} (it holds the AccessKeySecret)"),
                    ),
                    Out::Effect(Effect::Copy(text.expose().to_owned())),
                ]
            }
            Err(why) => vec![Out::toast(Level::Error, why)],
        }
    }
}

fn failed(why: &str) -> Vec<Out> {
    let modal = ErrorModal::plain("Cannot start the endpoint", why);
    vec![Out::Modal(Modal::Error(modal))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_listens_on_loopback_only() {
        assert_eq!(
            parse_listen(" 127.0.0.1:20160 ").unwrap(),
            "127.0.0.1:20160".parse::<SocketAddr>().unwrap()
        );
        assert!(parse_listen("[::1]:0").is_ok());
        assert!(
            parse_listen("127.8.9.10:1").is_ok(),
            "all of 127/8 is loopback"
        );
        for refused in ["0.0.0.0:20160", "[::]:20160", "10.0.0.1:80"] {
            let why = parse_listen(refused).unwrap_err();
            assert!(why.contains("loopback only"), "{refused}: {why}");
            assert!(why.contains("--allow-remote"), "{refused}: {why}");
        }
        for garbage in ["", "localhost:20160", "127.0.0.1", "127.0.0.1:99999"] {
            let why = parse_listen(garbage).unwrap_err();
            assert!(
                why.contains("not an address and port"),
                "{garbage:?}: {why}"
            );
        }
    }

    #[test]
    fn escape_puts_the_address_back_and_a_running_endpoint_keeps_its_address() {
        let view = VaultView::default();
        let cx = Cx {
            view: &view,
            theme: crate::tui::ui::theme::Theme::default(),
            tick: 0,
            principal: "admin",
            body: ratatui::layout::Rect::new(0, 1, 80, 21),
        };
        let mut e = EndpointScreen::default();
        e.editing = Some(e.listen.text());
        e.listen.set("127.0.0.1:1");
        e.update(Layer::EndpointAddress, Cmd::Cancel, &cx);
        assert_eq!(e.listen.text(), DEFAULT_LISTEN);
        assert!(e.editing.is_none());

        let at: SocketAddr = "127.0.0.1:4242".parse().unwrap();
        e.state = EndpointState::Running(at);
        assert_eq!(e.address(), "127.0.0.1:4242");
        e.update(Layer::Endpoint, Cmd::Edit, &cx);
        assert!(e.editing.is_none(), "no editing while it runs");
        let outs = e.update(Layer::Endpoint, Cmd::Submit, &cx);
        assert!(
            !outs.iter().any(|o| matches!(o, Out::Run(..))),
            "no second start"
        );
        let outs = e.update(Layer::Endpoint, Cmd::Stop, &cx);
        assert!(matches!(
            outs.as_slice(),
            [Out::Run(Job::StopEndpoint, PendingKind::EndpointStop)]
        ));
        assert_eq!(e.state, EndpointState::Stopping);
    }
}
