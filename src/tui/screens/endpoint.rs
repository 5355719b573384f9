//! The Endpoint screen (product §13, last bullet): start and stop the HTTP endpoint from the
//! console, watch its requests live, and copy a ready-to-paste snippet for each SDK pointed at
//! it with a chosen principal's AccessKey. The worker owns the running endpoint
//! ([`crate::tui::runtime::endpoint_worker`]); this screen only holds what it shows. The AccessKeySecret never
//! reaches it: the worker fills the copied snippet, and the screen shows a masked secret.

pub(in crate::tui) mod view;

use std::net::SocketAddr;

use crossterm::event::KeyEvent;

use crate::serve::LoggedRequest;

use crate::tui::action::Effect;
use crate::tui::app::{App, PendingKind};
use crate::tui::form::field::TextField;
use crate::tui::job::Job;
use crate::tui::keymap::{Cmd, Layer};
use crate::tui::modals::Modal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::picker::{PickItem, PickTarget, Picker};
use crate::tui::modals::toast::Level;

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

impl App {
    /// The principals the snippet may use (those with an AccessKey), with their first key.
    pub fn endpoint_principals(&self) -> Vec<(&str, &str)> {
        self.view
            .principals
            .iter()
            .filter_map(|p| {
                p.access_key_ids
                    .first()
                    .map(|k| (p.name.as_str(), k.as_str()))
            })
            .collect()
    }

    /// The principal and AccessKeyId the snippet uses.
    pub fn endpoint_access_key(&self) -> Option<(&str, &str)> {
        let all = self.endpoint_principals();
        let n = all.len().max(1);
        all.get(self.endpoint.principal % n).copied()
    }

    pub(in crate::tui) fn endpoint_command(&mut self, layer: Layer, cmd: Cmd) -> Vec<Effect> {
        if layer == Layer::EndpointAddress {
            match cmd {
                Cmd::Confirm => self.endpoint.editing = None,
                Cmd::Cancel => {
                    if let Some(before) = self.endpoint.editing.take() {
                        self.endpoint.listen.set(&before);
                    }
                }
                _ => {}
            }
            return Vec::new();
        }
        match cmd {
            Cmd::Submit => self.endpoint_start(),
            Cmd::Stop => self.endpoint_stop(),
            Cmd::Edit if self.endpoint.state == EndpointState::Stopped => {
                self.endpoint.editing = Some(self.endpoint.listen.text());
                Vec::new()
            }
            Cmd::Edit => self.toast(Level::Info, "Stop the endpoint to change its address"),
            Cmd::CycleNext | Cmd::CyclePrev => {
                let n = crate::serve::snippets::ALL.len();
                let step = if cmd == Cmd::CycleNext { 1 } else { n - 1 };
                self.endpoint.snippet = (self.endpoint.snippet + step) % n;
                self.endpoint.scroll = 0;
                Vec::new()
            }
            Cmd::Pick => self.endpoint_pick(),
            Cmd::Up => {
                self.endpoint.scroll = self.endpoint.scroll.saturating_sub(1);
                Vec::new()
            }
            Cmd::Down => {
                let lines = crate::serve::snippets::ALL
                    .get(self.endpoint.snippet)
                    .map_or(0, |s| s.template.lines().count());
                let last = u16::try_from(lines).unwrap_or(u16::MAX);
                self.endpoint.scroll = (self.endpoint.scroll + 1).min(last);
                Vec::new()
            }
            Cmd::CopyDocument => self.endpoint_copy(),
            _ => Vec::new(),
        }
    }

    /// Opens the picker of the principals that have an AccessKey.
    fn endpoint_pick(&mut self) -> Vec<Effect> {
        let items: Vec<PickItem> = self
            .endpoint_principals()
            .into_iter()
            .map(|(name, access_key_id)| PickItem {
                label: name.to_owned(),
                detail: access_key_id.to_owned(),
                value: name.to_owned(),
            })
            .collect();
        if items.is_empty() {
            return self.toast(Level::Warn, NO_ACCESS_KEY);
        }
        let title = "Principal for the snippets (those with an AccessKey)".to_owned();
        let mut picker = Picker::new(title, items, PickTarget::EndpointPrincipal);
        picker.selected = self.endpoint.principal % picker.items.len();
        self.modals.push(Modal::Picker(picker));
        Vec::new()
    }

    /// The picker chose the principal `name`.
    pub(in crate::tui) fn endpoint_picked(&mut self, name: &str) {
        if let Some(i) = self
            .endpoint_principals()
            .iter()
            .position(|(n, _)| *n == name)
        {
            self.endpoint.principal = i;
        }
    }

    fn endpoint_start(&mut self) -> Vec<Effect> {
        if self.endpoint.state != EndpointState::Stopped {
            return self.toast(Level::Info, "The endpoint is already running");
        }
        match parse_listen(&self.endpoint.listen.text()) {
            Ok(listen) => {
                self.endpoint.state = EndpointState::Starting;
                vec![self.begin(Job::StartEndpoint { listen }, PendingKind::EndpointStart)]
            }
            Err(why) => self.endpoint_failed(&why),
        }
    }

    /// Stops the endpoint if it runs (also on quit).
    pub(in crate::tui) fn endpoint_stop(&mut self) -> Vec<Effect> {
        if !self.endpoint.is_running() {
            return Vec::new();
        }
        self.endpoint.state = EndpointState::Stopping;
        vec![self.begin(Job::StopEndpoint, PendingKind::EndpointStop)]
    }

    fn endpoint_copy(&mut self) -> Vec<Effect> {
        let Some((_, access_key_id)) = self.endpoint_access_key() else {
            return self.toast(Level::Warn, NO_ACCESS_KEY);
        };
        let job = Job::EndpointSnippet {
            snippet: self.endpoint.snippet,
            address: self.endpoint.address(),
            access_key_id: access_key_id.to_owned(),
        };
        vec![self.begin(job, PendingKind::EndpointSnippet)]
    }

    fn endpoint_failed(&mut self, why: &str) -> Vec<Effect> {
        let modal = ErrorModal::plain("Cannot start the endpoint", why);
        self.modals.push(Modal::Error(modal));
        Vec::new()
    }

    /// The worker's answer to a start.
    pub(in crate::tui) fn endpoint_started(
        &mut self,
        started: Result<SocketAddr, String>,
    ) -> Vec<Effect> {
        match started {
            Ok(at) => {
                self.endpoint.state = EndpointState::Running(at);
                self.endpoint.requests.clear();
                self.toast(
                    Level::Success,
                    format!("The endpoint listens at http://{at}"),
                )
            }
            Err(why) => {
                self.endpoint.state = EndpointState::Stopped;
                self.endpoint_failed(&why)
            }
        }
    }

    pub(in crate::tui) fn endpoint_stopped(&mut self) -> Vec<Effect> {
        self.endpoint.state = EndpointState::Stopped;
        self.toast(Level::Info, "The endpoint stopped")
    }

    /// A filled snippet: to the clipboard, never to the screen.
    pub(in crate::tui) fn endpoint_snippet(
        &mut self,
        filled: Result<crate::core::secret::SecretString, String>,
    ) -> Vec<Effect> {
        match filled {
            Ok(text) => {
                let title = crate::serve::snippets::ALL
                    .get(self.endpoint.snippet)
                    .map_or("", |s| s.title);
                let mut effects = self.toast(
                    Level::Success,
                    format!("Copied the snippet for {title} (it holds the AccessKeySecret)"),
                );
                effects.push(Effect::Copy(text.expose().to_owned()));
                effects
            }
            Err(why) => self.toast(Level::Error, why),
        }
    }
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
        let mut app = App::new(crate::tui::app::AppConfig::default());
        app.endpoint.editing = Some(app.endpoint.listen.text());
        app.endpoint.listen.set("127.0.0.1:1");
        app.endpoint_command(Layer::EndpointAddress, Cmd::Cancel);
        assert_eq!(app.endpoint.listen.text(), DEFAULT_LISTEN);
        assert!(app.endpoint.editing.is_none());

        let at: SocketAddr = "127.0.0.1:4242".parse().unwrap();
        app.endpoint.state = EndpointState::Running(at);
        assert_eq!(app.endpoint.address(), "127.0.0.1:4242");
        app.endpoint_command(Layer::Endpoint, Cmd::Edit);
        assert!(app.endpoint.editing.is_none(), "no editing while it runs");
        let effects = app.endpoint_command(Layer::Endpoint, Cmd::Submit);
        assert!(effects.is_empty(), "no second start");
        let effects = app.endpoint_command(Layer::Endpoint, Cmd::Stop);
        assert!(matches!(
            effects.as_slice(),
            [Effect::Run(_, Job::StopEndpoint)]
        ));
        assert_eq!(app.endpoint.state, EndpointState::Stopping);
    }
}
