//! RFC 7591/7592 target: any server with dynamic client registration management.
//!
//! Such servers define their scopes in their own configuration, so scopectl only syncs
//! each client's `scope` metadata. `plan` reads `scopes_supported` from the discovery
//! document and each configured client's registration (`GET registration_client_uri`
//! with its registration access token). Registry scopes the server does not support are
//! plan errors, not mid-apply failures. `apply` replaces the metadata with a full PUT that
//! keeps every field it read (minus the four RFC 7592 §2.2 forbids) and a new `scope`:
//! the client's unexpired grants, plus any values in its current `scope` that are not
//! registry scopes (e.g. `openid`), which scopectl does not manage. A rotated
//! registration access token is written back to `registration_access_token_file`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use serde::Serialize;

use super::PlanOrigin;
use super::{fingerprint, run_ops, ApplyReport, Desired, Op, Plan, PlanError, PlanOptions};
use super::{Progress, PushTarget};
use crate::finding::Finding;
use crate::net::{Answer, Body, Counts, Http, Secret};
use crate::registry::policy::{Target, TargetKind};
use crate::registry::Sp;
use crate::rules::Rule;

/// Fields a client must not send in a RFC 7592 PUT.
const FORBIDDEN_IN_PUT: &[&str] = &[
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
];

struct Registration {
    uri: String,
    token: Secret,
    /// Where a rotated token is saved.
    file: Option<PathBuf>,
    env: Option<String>,
}

/// What the fingerprint covers: supported scopes and each client's `scope`.
#[derive(Debug, Clone, Default, Serialize)]
struct State {
    supported: Option<BTreeSet<String>>,
    clients: BTreeMap<String, Vec<String>>,
    #[serde(skip)]
    metadata: BTreeMap<String, serde_json::Value>,
    #[serde(skip)]
    missing: BTreeSet<String>,
}

pub struct Rfc7592 {
    name: String,
    issuer: String,
    http: Http,
    regs: BTreeMap<String, Registration>,
    state: State,
}

impl PushTarget for Rfc7592 {
    fn counts(&self) -> Counts {
        self.http.counts()
    }

    fn plan(
        &mut self,
        desired: &Desired,
        today: chrono::NaiveDate,
        options: &PlanOptions,
    ) -> anyhow::Result<Plan> {
        let state = self.read()?;
        let plan = Plan::new(
            PlanOrigin {
                target: &self.name,
                kind: TargetKind::Rfc7592,
                url: &self.issuer,
                realm: None,
            },
            today,
            options,
            fingerprint(&state),
            diff(&state, desired, self.regs.keys().collect(), options),
        );
        self.state = state;
        Ok(plan)
    }

    fn apply(
        &mut self,
        plan: &Plan,
        desired: &Desired,
        progress: &mut Progress<'_>,
    ) -> ApplyReport {
        let ops = plan.ops.clone();
        let mut warnings = Vec::new();
        let run = run_ops(&ops, progress, |op| {
            let client = self.exec(op)?;
            if let Err(w) = self.save_token(&client) {
                warnings.push(w);
            }
            Ok(())
        });
        let readback = !run.applied.is_empty() && !run.stopped;
        let mut report = run.report(self.counts());
        if readback {
            match self.read() {
                Ok(state) => {
                    let (rest, _, _) =
                        diff(&state, desired, self.regs.keys().collect(), &plan.options());
                    report.did_not_take = rest;
                    self.state = state;
                }
                Err(e) => report.readback_error = Some(format!("{e:#}")),
            }
        }
        report.warnings = warnings;
        report.counts = self.counts();
        report
    }
}

impl Rfc7592 {
    pub fn new(name: &str, t: &Target, root: &Path, http: Http) -> anyhow::Result<Rfc7592> {
        let mut regs = BTreeMap::new();
        for (client, r) in &t.clients {
            let env = r.registration_access_token_env.clone().map(Sp::unspanned);
            let file = r.registration_access_token_file.clone().map(Sp::unspanned);
            let token = super::read_secret(
                name,
                "registration_access_token_env",
                &format!("registration access token of client `{client}`"),
                env.as_ref(),
                file.as_ref(),
                root,
            )?
            .ok_or_else(|| {
                anyhow!(
                    "target `{name}`: client `{client}` needs `registration_access_token_env` or \
                     `registration_access_token_file`"
                )
            })?;
            regs.insert(
                client.clone(),
                Registration {
                    uri: r.registration_client_uri.clone(),
                    token,
                    file: r
                        .registration_access_token_file
                        .as_ref()
                        .map(|f| root.join(f)),
                    env: r.registration_access_token_env.clone(),
                },
            );
        }
        Ok(Rfc7592 {
            name: name.to_string(),
            issuer: t.url.trim_end_matches('/').to_string(),
            http,
            regs,
            state: State::default(),
        })
    }

    /// A request that could not be made: the run stops there.
    fn net(&self, e: crate::net::HttpError) -> anyhow::Error {
        anyhow::Error::new(super::Stop(format!("target `{}`: {e}", self.name)))
    }

    fn read(&mut self) -> anyhow::Result<State> {
        let mut state = State::default();
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let resp = self
            .http
            .request("GET", &url, None, &Body::None, Answer::Discovery)
            .map_err(|e| self.net(e))?;
        if !resp.ok() {
            bail!(
                "target `{}`: {} on GET {url}{}: is `url` the issuer?",
                self.name,
                resp.status,
                resp.retry_note(self.http.settings())
            );
        }
        let disco = resp.json()?;
        state.supported = disco
            .get("scopes_supported")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            });
        let clients: Vec<String> = self.regs.keys().cloned().collect();
        for client in clients {
            let (uri, token) = match self.regs.get(&client) {
                Some(r) => (r.uri.clone(), r.token.clone()),
                None => continue,
            };
            let resp = self
                .http
                .request(
                    "GET",
                    &uri,
                    Some(&token),
                    &Body::None,
                    Answer::ClientMetadata,
                )
                .map_err(|e| self.net(e))?;
            match resp.status {
                200 => {}
                404 => {
                    state.missing.insert(client);
                    continue;
                }
                401 => bail!(
                    "target `{}`: the registration access token of client `{client}` was refused \
                     (401 on GET {uri}); it may have been rotated: store the current one where \
                     the target says",
                    self.name
                ),
                s => bail!(
                    "target `{}`: {s} on GET {uri}{}: {}",
                    self.name,
                    resp.retry_note(self.http.settings()),
                    self.http.shown(&resp)
                ),
            }
            let meta = resp.json()?;
            self.remember_token(&client, &meta);
            let scope = meta
                .get("scope")
                .and_then(|s| s.as_str())
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_string)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            state.clients.insert(client.clone(), scope);
            state.metadata.insert(client, meta);
        }
        Ok(state)
    }

    /// Keep a token the server sent back (it may have rotated). Saving to the file happens
    /// after a write, see [`Rfc7592::save_token`].
    fn remember_token(&mut self, client: &str, meta: &serde_json::Value) -> bool {
        let Some(new) = meta
            .get("registration_access_token")
            .and_then(|t| t.as_str())
        else {
            return false;
        };
        match self.regs.get_mut(client) {
            Some(r) if r.token.expose() != new => {
                self.http.add_secret(new);
                r.token = Secret::new(new);
                true
            }
            _ => false,
        }
    }

    fn save_token(&self, client: &str) -> Result<(), String> {
        let Some(r) = self.regs.get(client) else {
            return Ok(());
        };
        match (&r.file, &r.env) {
            (Some(path), _) => {
                write_secret_file(path, &format!("{}\n", r.token.expose())).map_err(|e| {
                    format!(
                        "client `{client}`: the server rotated its registration access token \
                             and saving it to `{}` failed: {e}",
                        path.display()
                    )
                })
            }
            (None, Some(env)) => Err(format!(
                "client `{client}`: the server rotated its registration access token; ${env} \
                 now holds a stale one (use `registration_access_token_file` so scopectl can \
                 save rotated tokens)"
            )),
            _ => Ok(()),
        }
    }

    /// Run one op; returns the client it touched.
    fn exec(&mut self, op: &Op) -> anyhow::Result<String> {
        let Op::SetClientScope { client, to, .. } = op else {
            bail!("not an RFC 7592 operation: {}", op.action());
        };
        let reg = self
            .regs
            .get(client)
            .ok_or_else(|| anyhow!("no registration configured for client `{client}`"))?;
        let (uri, token) = (reg.uri.clone(), reg.token.clone());
        let mut meta = self
            .state
            .metadata
            .get(client)
            .cloned()
            .ok_or_else(|| anyhow!("client `{client}` was not read"))?;
        let Some(obj) = meta.as_object_mut() else {
            bail!("client `{client}`: the registration is not a JSON object");
        };
        for k in FORBIDDEN_IN_PUT {
            obj.remove(*k);
        }
        obj.retain(|_, v| !v.is_null() && v.as_str() != Some(""));
        obj.insert("scope".into(), serde_json::Value::String(to.join(" ")));
        // Not repeated once it may have gone through: a server that rotates registration
        // access tokens would have replaced the token with one whose answer was lost, and
        // a repeat with the old token only gets 401.
        let resp = match self.http.request_unrepeatable(
            "PUT",
            &uri,
            Some(&token),
            &Body::Json(&meta),
            Answer::ClientMetadata,
        ) {
            Ok(r) => r,
            Err(e) if e.answer_lost() => {
                let saved = match &reg.file {
                    Some(f) => format!("`{}`", f.display()),
                    None => match &reg.env {
                        Some(v) => format!("${v}"),
                        None => "the token source".to_string(),
                    },
                };
                bail!(
                    "target `{}`: the answer to PUT {uri} (client `{client}`) was lost ({e}); \
                     the server may have made the change and rotated the registration access \
                     token, so scopectl did not repeat it. Run `scopectl plan`: if client \
                     `{client}` gets 401, the token in {saved} was rotated and the new one is \
                     lost; ask the server's administrator for a new registration access token \
                     (or re-register the client) and put it in {saved}",
                    self.name
                );
            }
            Err(e) => return Err(self.net(e)),
        };
        if !resp.ok() {
            bail!(
                "target `{}`: {} on PUT {uri} (client `{client}`){}: {}",
                self.name,
                resp.status,
                resp.retry_note(self.http.settings()),
                self.http.shown(&resp)
            );
        }
        if let Ok(v) = resp.json() {
            self.remember_token(client, &v);
            self.state.metadata.insert(client.clone(), v);
        }
        Ok(client.clone())
    }
}

fn diff(
    state: &State,
    desired: &Desired,
    registered: BTreeSet<&String>,
    options: &PlanOptions,
) -> (Vec<Op>, Vec<PlanError>, Vec<String>) {
    let mut ops = Vec::new();
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let unsupported = |s: &str| state.supported.as_ref().is_some_and(|set| !set.contains(s));
    for name in desired.scopes.keys() {
        if unsupported(name) {
            errors.push(Finding::of(Rule::PushUnsupportedScope, format!(
                    "registry scope `{name}` is not in the server's scopes_supported; add it to the server's configuration"
                )));
        }
    }
    // Claims: RFC 7591/7592 has no mapper concept, so nothing here enforces them.
    let with_claims: Vec<String> = desired
        .scopes
        .values()
        .filter(|d| !d.claims.is_empty())
        .map(|d| format!("`{}`", d.name))
        .collect();
    if !with_claims.is_empty() {
        notes.push(format!(
            "claims are not enforced on this target: dynamic client registration (RFC \
             7591/7592) has no protocol mappers, so what tokens carry is the server's own \
             configuration; the claims declared by {} are not pushed or checked here (`decode` \
             checks real tokens against them)",
            with_claims.join(", ")
        ));
    }
    if state.supported.is_none() {
        notes.push(
            "the discovery document lists no scopes_supported; scopes are not checked before apply"
                .into(),
        );
    }
    for (client, grants) in &desired.clients {
        if !registered.contains(client) {
            if !grants.is_empty() {
                errors.push(Finding::of(Rule::PushUnregisteredClient, format!(
                        "client `{client}` has grants but no `[targets.…clients.\"{client}\"]` registration in scopectl.toml"
                    )));
            }
            continue;
        }
        if state.missing.contains(client) {
            errors.push(Finding::of(
                Rule::PushMissingClient,
                format!("client `{client}` is not registered on the server (404)"),
            ));
            continue;
        }
        let Some(current) = state.clients.get(client) else {
            continue;
        };
        let mut want: BTreeSet<String> = current
            .iter()
            .filter(|s| !desired.scopes.contains_key(*s))
            .cloned()
            .collect();
        for scope in grants.keys() {
            if desired.scopes.contains_key(scope) && !unsupported(scope) {
                want.insert(scope.clone());
            }
        }
        let want: Vec<String> = want.into_iter().collect();
        if &want != current {
            ops.push(Op::SetClientScope {
                client: client.clone(),
                from: current.clone(),
                to: want,
            });
        }
    }
    unlisted(state, desired, &registered, options, &mut ops, &mut errors);
    (ops, errors, notes)
}

/// Clients the target configures that no registry client maps to (their file was
/// deleted: offboarded) but whose `scope` holds registry scopes: a `push/unlisted-client`
/// error, or with `revoke_unlisted` a scope list without the registry scopes (the other
/// values, e.g. `openid`, stay). Never revoked when a registry client has the id in
/// another case, nor when the registry has no clients at all.
fn unlisted(
    state: &State,
    desired: &Desired,
    registered: &BTreeSet<&String>,
    options: &PlanOptions,
    ops: &mut Vec<Op>,
    errors: &mut Vec<PlanError>,
) {
    for client in registered {
        if desired.clients.contains_key(*client) {
            continue;
        }
        let Some(current) = state.clients.get(*client) else {
            continue;
        };
        let held: Vec<&String> = current
            .iter()
            .filter(|s| desired.scopes.contains_key(*s))
            .collect();
        if held.is_empty() {
            continue;
        }
        let case_twin = desired
            .clients
            .keys()
            .any(|k| k != *client && k.eq_ignore_ascii_case(client));
        if options.revoke_unlisted && !case_twin && !desired.clients.is_empty() {
            ops.push(Op::SetClientScope {
                client: (*client).clone(),
                from: current.clone(),
                to: current
                    .iter()
                    .filter(|s| !desired.scopes.contains_key(*s))
                    .cloned()
                    .collect(),
            });
            continue;
        }
        let list: Vec<String> = held.iter().map(|s| format!("`{s}`")).collect();
        let twin = super::keycloak::case_hint(client, desired.clients.keys(), "the registry");
        errors.push(Finding::of(
            Rule::PushUnlistedClient,
            format!(
                "client `{client}` is configured in the target (`[targets.…clients.\"{client}\"]`) \
                 but has no registry file, and its `scope` holds registry scope(s) {}: the \
                 registry says nobody holds them there. Add a client file granting them, or \
                 revoke them with `revoke_unlisted = true` in the target (or `apply \
                 --revoke-unlisted`: its other values stay){twin}{}",
                list.join(", "),
                if !options.revoke_unlisted {
                    ""
                } else if case_twin {
                    "; not revoked while a registry client differs from it only in case"
                } else {
                    "; not revoked: the registry has no clients at all"
                }
            ),
        ));
    }
}

/// Replace a secret file's contents atomically without ever exposing the secret: write a
/// temp file (unique name, mode 0600, or the original file's mode) next to the real
/// file, fsync it, then rename it over. A symlinked secret is written through to the file
/// the link points at, so the link stays.
fn write_secret_file(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // tempfile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".scopectl-token-")
        .tempfile_in(&dir)?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(&target) {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        // Make the rename durable; not every platform can fsync a directory.
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::DesiredScope;
    use crate::registry::claims::{default_tokens, Claim, ClaimSource};

    #[test]
    fn an_unlisted_client_loses_only_registry_scopes_and_never_by_a_case_typo() {
        let mut desired = Desired::default();
        desired.scopes.insert(
            "a:read".into(),
            DesiredScope {
                name: "a:read".into(),
                description: "d".into(),
                consent_text: "d".into(),
                adopt: false,
                managed: true,
                in_token_scope: true,
                claims: Vec::new(),
            },
        );
        let mut state = State::default();
        state
            .clients
            .insert("gone".into(), vec!["a:read".into(), "openid".into()]);
        let gone = "gone".to_string();
        let registered = BTreeSet::from([&gone]);
        let revoke = PlanOptions {
            revoke_unlisted: true,
            ..PlanOptions::default()
        };
        // No registry clients at all: never revoked, only reported.
        let (ops, errors, _) = diff(&state, &desired, registered.clone(), &revoke);
        assert!(ops.is_empty());
        assert!(errors[0]
            .message
            .contains("the registry has no clients at all"));
        desired.clients.insert("other".into(), BTreeMap::new());
        let (ops, errors, _) = diff(&state, &desired, registered.clone(), &revoke);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            ops,
            vec![Op::SetClientScope {
                client: "gone".into(),
                from: vec!["a:read".into(), "openid".into()],
                to: vec!["openid".into()],
            }]
        );
        // A registry client with the id in another case: a typo, not an offboarding.
        desired.clients.insert("Gone".into(), BTreeMap::new());
        let (ops, errors, _) = diff(&state, &desired, registered, &revoke);
        assert!(ops.is_empty());
        assert_eq!(errors[0].rule, Rule::PushUnlistedClient);
        assert!(errors[0].message.contains("differs from it only in case"));
    }

    #[test]
    fn claims_are_said_to_be_not_enforced_never_pushed() {
        let mut desired = Desired::default();
        desired.scopes.insert(
            "a:read".into(),
            DesiredScope {
                name: "a:read".into(),
                description: "d".into(),
                consent_text: "d".into(),
                adopt: false,
                managed: true,
                in_token_scope: true,
                claims: vec![Claim {
                    name: "region".into(),
                    source: ClaimSource::AsIs,
                    tokens: default_tokens(true),
                    json_type: Default::default(),
                    multivalued: None,
                    span: 0..0,
                }],
            },
        );
        let state = State {
            supported: Some(BTreeSet::from(["a:read".to_string()])),
            clients: BTreeMap::new(),
            metadata: BTreeMap::new(),
            missing: BTreeSet::new(),
        };
        let (ops, errors, notes) = diff(&state, &desired, BTreeSet::new(), &PlanOptions::default());
        assert!(ops.is_empty() && errors.is_empty());
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("claims are not enforced on this target"));
        assert!(notes[0].contains("`a:read`"));
    }
}
