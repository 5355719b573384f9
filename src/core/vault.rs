//! The open vault: its contents (in memory, or in a vault file shared with other processes),
//! its audit log, and the clock, id and key-material sources every operation uses.

mod audit;
mod principal_calls;
mod restore;

pub use self::principal_calls::{PrincipalCall, PrincipalCalled};
pub use self::restore::RESTORE_ACTION;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::audit::{AuditAnchor, AuditKey, AuditLog, AuditRecord};
use super::clock::{Clock, IdSource, RandomIds, SystemClock, format_date};
use super::error::KmsError;
use super::material::KeyMaterial;
use super::model::{DEFAULT_REGION, VaultState};
use super::ops::maintenance::{self, MaintenanceEvent, SYSTEM_PRINCIPAL};
use super::ops::versions::{self, KeyVersionInfo};
use super::ops::{Ctx, principals};
use super::policy::PolicyDocument;
use super::random;
use super::secret::SecretString;
use super::spec::KeySpec;
use super::vault_file::{NewProtection, Protection, VaultError, VaultFile};

/// Where new key material comes from. The OS source in production; tests hand out
/// pre-generated RSA keys so that no test waits for RSA key generation.
pub trait KeySource: Send + Sync {
    fn generate(&self, spec: KeySpec) -> Result<KeyMaterial, KmsError>;
}

/// Fresh material from the OS random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeySource;

impl KeySource for OsKeySource {
    fn generate(&self, spec: KeySpec) -> Result<KeyMaterial, KmsError> {
        KeyMaterial::generate(spec)
    }
}

/// Clock, ids and key source of a vault.
#[derive(Clone)]
pub struct Sources {
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub keys: Arc<dyn KeySource>,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            keys: Arc::new(OsKeySource),
        }
    }
}

enum Backend {
    Memory(Box<VaultState>),
    File(Box<VaultFile<VaultState>>),
}

/// An open vault.
pub struct Vault {
    backend: Backend,
    audit: Option<AuditLog>,
    sources: Sources,
}

impl From<VaultError> for KmsError {
    fn from(e: VaultError) -> Self {
        KmsError::InternalFailure(e.to_string())
    }
}

/// A new empty vault's contents: a fresh account id and the `admin` principal (`kms:*` and
/// `ram:*` on `*`, product §7), with no AccessKey yet.
pub fn new_vault_state(sources: &Sources) -> Result<VaultState, KmsError> {
    let mut digits = [0u8; 16];
    random::fill(&mut digits)?;
    let mut account: String = digits.iter().map(|d| char::from(b'0' + d % 10)).collect();
    account.replace_range(0..1, "1");
    let mut state = VaultState::new(DEFAULT_REGION, &account);
    let ctx = Ctx {
        principal: SYSTEM_PRINCIPAL,
        clock: sources.clock.as_ref(),
        ids: sources.ids.as_ref(),
    };
    principals::add_principal(
        &mut state,
        &ctx,
        "admin",
        vec![PolicyDocument::allow(&["kms:*", "ram:*"])],
    )?;
    Ok(state)
}

impl Vault {
    /// A vault that lives only in memory (tests, benchmarks); no audit log.
    pub fn in_memory(state: VaultState, sources: Sources) -> Self {
        Self {
            backend: Backend::Memory(Box::new(state)),
            audit: None,
            sources,
        }
    }

    /// Creates a vault file at `path` with `state`, and opens it.
    pub fn create(
        path: &Path,
        mut state: VaultState,
        protection: NewProtection,
        sources: Sources,
    ) -> Result<Self, VaultError> {
        // The chain's key is made with the vault; a log already there (left by a vault that was
        // removed) keeps its lines, which verify against the key they were made with, if any.
        if state.audit_anchor().is_none() {
            let head = AuditLog::for_vault(path).head()?;
            let key = AuditKey::generate().map_err(|e| VaultError::Io(e.to_string()))?;
            *state.audit_anchor_mut() = Some(AuditAnchor::new(key, &head));
        }
        let file = VaultFile::create(path, state, protection)?;
        Ok(Self::from_file(file, sources))
    }

    /// Opens a vault file and runs due maintenance (expired deletions, automatic rotations).
    pub fn open(
        path: &Path,
        passphrase: Option<SecretString>,
        sources: Sources,
    ) -> Result<(Self, Vec<MaintenanceEvent>), VaultError> {
        let file = VaultFile::open(path, passphrase)?;
        let mut vault = Self::from_file(file, sources);
        let events = vault
            .maintain()
            .map_err(|e| VaultError::Io(e.to_string()))?;
        Ok((vault, events))
    }

    fn from_file(file: VaultFile<VaultState>, sources: Sources) -> Self {
        let audit = Some(AuditLog::for_vault(file.path()));
        Self {
            backend: Backend::File(Box::new(file)),
            audit,
            sources,
        }
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The context of a request by `principal`.
    pub fn ctx<'a>(&'a self, principal: &'a str) -> Ctx<'a> {
        Ctx {
            principal,
            clock: self.sources.clock.as_ref(),
            ids: self.sources.ids.as_ref(),
        }
    }

    pub fn state(&self) -> &VaultState {
        match &self.backend {
            Backend::Memory(s) => s,
            Backend::File(f) => f.contents(),
        }
    }

    /// The vault file's path, if it has one.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Memory(_) => None,
            Backend::File(f) => Some(f.path()),
        }
    }

    /// `None` for an in-memory vault.
    pub fn protection(&self) -> Option<Protection> {
        match &self.backend {
            Backend::Memory(_) => None,
            Backend::File(f) => Some(f.protection()),
        }
    }

    pub fn audit_log(&self) -> Option<&AuditLog> {
        self.audit.as_ref()
    }

    /// Whether another process changed the vault file since it was loaded (cheap).
    pub fn changed_on_disk(&self) -> bool {
        match &self.backend {
            Backend::Memory(_) => false,
            Backend::File(f) => f.changed_on_disk(),
        }
    }

    /// Re-reads the file if another process changed it; `true` if the contents changed.
    pub fn refresh(&mut self) -> Result<bool, KmsError> {
        match &mut self.backend {
            Backend::Memory(_) => Ok(false),
            Backend::File(f) => Ok(f.reload()?),
        }
    }

    /// CreateKeyVersion as `principal`: permission and state are checked first, the new material
    /// (slow for RSA) is made outside the vault's lock, then the version is added under it, with
    /// the audit lines `records` makes of it (see [`Vault::update_audited`]).
    pub fn create_key_version(
        &mut self,
        principal: &str,
        key_ref: &str,
        records: impl FnOnce(&KeyVersionInfo) -> Vec<AuditRecord>,
    ) -> Result<KeyVersionInfo, KmsError> {
        let spec =
            versions::prepare_key_version(self.state(), &self.ctx(principal), key_ref)?.key_spec;
        let material = self.sources.keys.generate(spec)?;
        self.update_audited(
            principal,
            |state, ctx| versions::create_key_version(state, ctx, key_ref, material),
            records,
        )
    }

    /// Runs due maintenance, audited (as `system`) in the write that does it.
    pub fn maintain(&mut self) -> Result<Vec<MaintenanceEvent>, KmsError> {
        if !maintenance::maintenance_due(self.state(), self.sources.clock.now()) {
            return Ok(Vec::new());
        }
        let time = format_date(self.sources.clock.now());
        let ids = Arc::clone(&self.sources.ids);
        let records = |events: &Vec<MaintenanceEvent>| {
            events
                .iter()
                .map(|event| {
                    let (action, key_id, version) = match event {
                        MaintenanceEvent::KeyDeleted { key_id } => ("DeleteKey", key_id, None),
                        MaintenanceEvent::KeyRotated {
                            key_id,
                            key_version_id,
                        } => ("RotateKey", key_id, Some(key_version_id.clone())),
                        MaintenanceEvent::MaterialExpired { key_id } => {
                            ("DeleteKeyMaterial", key_id, None)
                        }
                    };
                    AuditRecord {
                        time: time.clone(),
                        principal: SYSTEM_PRINCIPAL.to_owned(),
                        action: action.to_owned(),
                        key_id: Some(key_id.clone()),
                        key_version_id: version,
                        result: "Success".to_owned(),
                        request_id: ids.uuid(),
                        ..AuditRecord::default()
                    }
                })
                .collect()
        };
        self.update_audited(SYSTEM_PRINCIPAL, maintenance::run_maintenance, records)
    }
}

/// The default vault path (`KMS_CONSOLE_VAULT`, else the user data directory).
pub fn default_path() -> Option<PathBuf> {
    super::paths::default_vault_path()
}
