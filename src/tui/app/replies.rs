//! What comes back from the worker: each job's reply goes to the part of the model that asked
//! for it (by the job's [`PendingKind`]), and the worker's own events (a new view, an outside
//! change, maintenance, a drill's progress) update the model.

use crate::tui::action::Effect;
use crate::tui::app::{App, Pending, PendingKind};
use crate::tui::job::{Reply, WorkerEvent};
use crate::tui::modals::toast::Level;

impl App {
    pub(in crate::tui) fn worker_event(&mut self, event: WorkerEvent) -> Vec<Effect> {
        match event {
            WorkerEvent::Done(id, reply) => {
                let Some(at) = self.pending.iter().position(|p| p.id == id) else {
                    return Vec::new();
                };
                let pending = self.pending.remove(at);
                self.done(pending, reply)
            }
            WorkerEvent::Snapshot(view) => {
                self.set_view(*view);
                self.audit.stale = true;
                Vec::new()
            }
            WorkerEvent::Reloaded(view) => {
                self.set_view(*view);
                self.audit.stale = true;
                self.toast(Level::Info, "The vault changed on disk; reloaded")
            }
            WorkerEvent::Notice(text) => self.toast(Level::Info, text),
            WorkerEvent::Damage(why) => {
                self.damage = why;
                Vec::new()
            }
            WorkerEvent::DrillProgress {
                id,
                progress,
                elapsed,
            } => {
                self.drill.progress(id, progress, elapsed);
                Vec::new()
            }
            WorkerEvent::EndpointLog(requests) => {
                self.endpoint.requests = requests;
                Vec::new()
            }
        }
    }

    fn done(&mut self, pending: Pending, reply: Reply) -> Vec<Effect> {
        match (pending.kind, reply) {
            (PendingKind::Api { request, principal }, Reply::Api(outcome)) => {
                self.api_done(pending.id, &principal, request, outcome)
            }
            (PendingKind::Open, reply) => self.open_done(reply),
            (PendingKind::Create, reply) => self.create_done(reply),
            (PendingKind::Audit { last }, Reply::Audit(r)) => {
                let body = self.body();
                self.audit.loaded(r, last, &cx!(self, body));
                Vec::new()
            }
            (PendingKind::AuditSearch { generation }, Reply::AuditFound(r)) => {
                let outs = self.audit.found(generation, r);
                self.carry_out(outs)
            }
            (PendingKind::Verify, Reply::Verified(r)) => {
                let outs = self.audit.verified(r);
                self.carry_out(outs)
            }
            (PendingKind::Restore, Reply::Restored(r)) => self.restore_done(r),
            (PendingKind::DrillScan { path }, Reply::DrillScan(r)) => {
                self.drill.scanned(path, r);
                Vec::new()
            }
            (PendingKind::Census { path }, Reply::Census(r)) => {
                self.drill.census_done(path, r);
                Vec::new()
            }
            (PendingKind::Drill, reply) => {
                self.audit.stale = true;
                let outs = self.drill.done(reply, &self.view);
                self.carry_out(outs)
            }
            (PendingKind::EndpointStart, Reply::EndpointStarted(r)) => {
                let outs = self.endpoint.started(r);
                self.carry_out(outs)
            }
            (PendingKind::EndpointStop, Reply::EndpointStopped) => {
                let outs = self.endpoint.stopped();
                self.carry_out(outs)
            }
            (PendingKind::EndpointSnippet, Reply::Snippet(r)) => {
                let outs = self.endpoint.snippet_filled(r);
                self.carry_out(outs)
            }
            (PendingKind::Principal, Reply::Principal(done)) => self.principal_done(*done),
            (PendingKind::Simulate, Reply::Simulated(answer)) => {
                self.simulated(answer);
                Vec::new()
            }
            (_, Reply::OpenFailed { message, .. }) => self.toast(Level::Error, message),
            _ => Vec::new(),
        }
    }
}
