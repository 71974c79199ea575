//! Keycloak target (Admin REST API, Keycloak 26.x).
//!
//! Each registry scope is a client scope (protocol `openid-connect`, the description,
//! `include.in.token.scope=true`, consent text) carrying the marker attributes
//! `scopectl.managed=true` and `scopectl.digest=sha256:…`. Each unexpired grant is a
//! default or optional client-scope link on the client with that clientId.
//!
//! Reading the state costs one `GET /client-scopes` and one `GET /clients?first=&max=`
//! per page of clients (each client carries its default/optional scope names), so it
//! does not grow with one request per client. Traps handled (see KEYCLOAK.md):
//! a scope PUT merges attributes (markers are overwritten, never removed); a link PUT
//! answers 204 and does nothing when the scope is linked the other way (a move is
//! DELETE then PUT, and `apply` reads back to verify); built-in and unmarked scopes are
//! never changed or deleted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use serde::Serialize;

use super::mappers::{self, KcMapper};
use super::{fingerprint, run_ops, ApplyReport, Desired, DesiredScope, Op, Plan, PushTarget};
use super::{FieldChange, PlanError, PlanOptions, PlanOrigin, Progress, Stop};
use crate::finding::Finding;
use crate::net::{self, pct, Answer, Body, Counts, Http, HttpError, Response, Secret};
use crate::registry::policy::{Target, TargetKind};
use crate::registry::GrantType;
use crate::rules::Rule;

mod keys;
pub use keys::RealmKeys;

/// Attribute that marks a client scope as scopectl's.
pub const MARKER: &str = "scopectl.managed";
/// Attribute holding the digest of the representation scopectl wrote.
pub const DIGEST: &str = "scopectl.digest";

/// Scope names Keycloak ships. scopectl never changes or deletes these, marker or not.
pub const BUILTIN_SCOPES: &[&str] = &[
    "profile",
    "email",
    "roles",
    "web-origins",
    "acr",
    "basic",
    "address",
    "phone",
    "offline_access",
    "microprofile-jwt",
    "organization",
    "service_account",
    "role_list",
    "saml_organization",
    "openid",
    "AuthnContextClassRef",
];

/// The longest client-scope name and description Keycloak stores (its columns hold 255
/// characters; a longer value answers 500).
pub const MAX_FIELD_CHARS: usize = 255;
/// The longest attribute value Keycloak stores (the consent text).
pub const MAX_ATTRIBUTE_CHARS: usize = 2048;

/// The client whose creation is scopectl's apply lease on a realm (Keycloak refuses a
/// second client with the same id, atomically). It is disabled, has no scopes and is
/// never planned for.
pub const LEASE_CLIENT: &str = "scopectl-lease";
/// How long a lease holds when its run dies without deleting it.
pub const LEASE_TTL: chrono::Duration = chrono::Duration::minutes(10);

/// Is this client representation scopectl's apply lease (its name and the attributes
/// scopectl writes), not a client of the realm that happens to have the name?
fn is_lease(c: &serde_json::Value) -> bool {
    let attr = |k: &str| {
        c.get("attributes")
            .and_then(|a| a.get(k))
            .and_then(|v| v.as_str())
    };
    str_field(c, "clientId").as_deref() == Some(LEASE_CLIENT)
        && attr(LEASE_EXPIRES).is_some()
        && attr(LEASE_HOLDER).is_some()
}
/// Lease attributes: when it expires (RFC 3339) and who holds it.
const LEASE_EXPIRES: &str = "scopectl.lease.expires";
const LEASE_HOLDER: &str = "scopectl.lease.holder";

/// The reason of the unassign that removes the second link of a scope linked both as
/// default and optional.
pub const LINKED_BOTH_WAYS: &str = "linked both ways";
/// The reason of the unassign that offboards a client without a registry file.
pub const UNLISTED: &str = "revoked (client has no registry file; revoke_unlisted)";

/// The reason of the unassign of a built-in scope that a client's `builtin_scopes` leaves out.
pub const NOT_IN_BUILTINS: &str = "not in the client's builtin_scopes";

/// Built-in names `builtin_scopes` never unlinks: `openid` is not a client scope, and
/// Keycloak links `service_account` itself to every client with a service account.
const BUILTINS_LEFT_ALONE: &[&str] = &["openid", "service_account"];

/// How a built-in scope is linked when `builtin_scopes` adds it: the way a fresh realm
/// lists it (optional for these, default for the others).
fn builtin_kind(name: &str) -> GrantType {
    if [
        "address",
        "phone",
        "offline_access",
        "microprofile-jwt",
        "organization",
    ]
    .contains(&name)
    {
        GrantType::Optional
    } else {
        GrantType::Default
    }
}

/// Is this a Keycloak built-in scope name (or a feature-gated family of them)?
pub fn is_builtin(name: &str) -> bool {
    BUILTIN_SCOPES.contains(&name) || name.starts_with("oid4vc_") || name.starts_with("delegation:")
}

/// Clients read per page of `GET /clients` (`SCOPECTL_KEYCLOAK_PAGE_SIZE` overrides it;
/// the tests use a tiny page to prove every page is read).
const PAGE: usize = 500;

/// The most clients `plan` reads from one realm (at the page size, a bounded number of
/// pages): a server that keeps answering full pages is stopped, not followed for ever.
pub const MAX_CLIENTS: usize = 100_000;

/// After a page of `items` clients of which `new` were not seen before, read the next
/// page (`Ok(true)`), stop (`Ok(false)`), or refuse: a full page of clients already read
/// (a server that ignores `first`), or more than [`MAX_CLIENTS`] clients.
fn next_page(items: usize, new: usize, page_size: usize, read: usize) -> Result<bool, String> {
    if items < page_size {
        return Ok(false);
    }
    if new == 0 {
        return Err(format!(
            "Keycloak answered a full page of {items} clients that were all read before: the server ignores `first` (paging), so the list of clients cannot be read to its end"
        ));
    }
    if read >= MAX_CLIENTS {
        return Err(format!(
            "the realm has more than {MAX_CLIENTS} clients (the limit scopectl reads), or the server keeps answering full pages: stopped after {read}"
        ));
    }
    Ok(true)
}

fn page_size() -> usize {
    std::env::var("SCOPECTL_KEYCLOAK_PAGE_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(PAGE)
}

enum Auth {
    /// client_credentials in the target realm.
    ServiceAccount { client_id: String, secret: Secret },
    /// A master-realm admin user, password grant through `admin-cli`.
    AdminUser { username: Secret, password: Secret },
}

/// A client scope as read.
#[derive(Debug, Clone, Serialize)]
struct KcScope {
    id: String,
    description: Option<String>,
    protocol: Option<String>,
    attributes: BTreeMap<String, String>,
    /// Its protocol mappers. Only scopectl's own (marked) ones are in the fingerprint
    /// (`owned`), so a scope without them fingerprints as it did before mappers were
    /// managed; a saved plan's deletes are re-checked against the others anyway.
    #[serde(skip)]
    mappers: Vec<KcMapper>,
    #[serde(rename = "mappers", skip_serializing_if = "Vec::is_empty")]
    owned: Vec<KcMapper>,
}

impl KcScope {
    fn marked(&self) -> bool {
        self.attributes.get(MARKER).map(String::as_str) == Some("true")
    }
}

/// A client as read: its UUID and linked scope names.
#[derive(Debug, Clone, Serialize)]
struct KcClient {
    id: String,
    default: BTreeSet<String>,
    optional: BTreeSet<String>,
    /// `openid-connect` or `saml` (not in the fingerprint; the ops depend on it).
    #[serde(skip)]
    protocol: Option<String>,
}

/// The realm state that matters to scopectl.
#[derive(Debug, Clone, Default, Serialize)]
struct State {
    scopes: BTreeMap<String, KcScope>,
    clients: BTreeMap<String, KcClient>,
    /// The realm's default and optional client-scope lists (the scopes every new client
    /// gets), read with every plan (two reads); not in the fingerprint.
    #[serde(skip)]
    realm_defaults: Option<(BTreeSet<String>, BTreeSet<String>)>,
    /// The role scope mappings (realm roles, and client roles as `client/role`) of each
    /// scope `--prune` would delete: one read per such scope, only with `--prune`; not
    /// in the fingerprint.
    #[serde(skip)]
    role_mappings: BTreeMap<String, Vec<String>>,
}

pub struct Keycloak {
    name: String,
    base: String,
    realm: String,
    auth: Auth,
    secret_source: String,
    http: Http,
    token: Option<Secret>,
    state: State,
    /// The id of the lease client this run created.
    lease_id: Option<String>,
}

impl PushTarget for Keycloak {
    fn counts(&self) -> Counts {
        self.http.counts()
    }

    fn plan(
        &mut self,
        desired: &Desired,
        today: chrono::NaiveDate,
        options: &PlanOptions,
    ) -> anyhow::Result<Plan> {
        let mut state = self.read()?;
        // Read on every plan: a registry scope in these lists reaches every new client,
        // and --prune must not delete a scope they hold.
        state.realm_defaults = Some(self.read_realm_defaults()?);
        if options.prune {
            // Keycloak removes a scope's role scope mappings with it: a scope that has
            // some is still in use.
            for name in prune_candidates(&state, desired) {
                let Some(id) = state.scopes.get(&name).map(|s| s.id.clone()) else {
                    continue;
                };
                let roles = self.read_role_mappings(&id)?;
                state.role_mappings.insert(name, roles);
            }
        }
        let parts = state_parts(&state, desired);
        let (ops, errors, notes, warnings) = diff(&state, desired, options);
        let mut plan = Plan::new(
            PlanOrigin {
                target: &self.name,
                kind: TargetKind::Keycloak,
                url: &self.base,
                realm: Some(&self.realm),
            },
            today,
            options,
            fingerprint(&parts),
            (ops, errors, notes),
        );
        plan.warnings.extend(warnings);
        plan.state_parts = parts;
        self.state = state;
        Ok(plan)
    }

    fn lease(&mut self, take_over: bool) -> anyhow::Result<()> {
        let url = self.admin("/clients");
        for attempt in 0..2 {
            let expires = chrono::Utc::now() + LEASE_TTL;
            let holder = format!(
                "{} pid {}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "unknown host".into()),
                std::process::id()
            );
            let rep = serde_json::json!({
                "clientId": LEASE_CLIENT,
                "enabled": false,
                "publicClient": true,
                "standardFlowEnabled": false,
                "directAccessGrantsEnabled": false,
                "description": "scopectl apply in progress on this realm; deleted when it ends",
                "attributes": {
                    LEASE_EXPIRES: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    LEASE_HOLDER: holder,
                },
                "defaultClientScopes": [],
                "optionalClientScopes": [],
            });
            let resp = self.call("POST", &url, &Body::Json(&rep), Answer::AdminWrite)?;
            if resp.ok() {
                self.lease_id = resp
                    .location
                    .as_deref()
                    .and_then(|l| l.rsplit('/').next())
                    .map(str::to_string);
                return Ok(());
            }
            // 409: someone holds it. A 500 may be the same race lost inside the
            // database (two creates at once): it counts as held when the lease is there.
            if resp.status != 409 && resp.status != 500 {
                return Err(self.status_error("POST", &url, &resp));
            }
            // Take it over only when it expired (a killed run) or when told to.
            let find = self.admin(&format!("/clients?clientId={LEASE_CLIENT}"));
            let found = self.get_json(&find)?;
            let Some(held) = found.as_array().and_then(|a| a.first()).cloned() else {
                if resp.status == 500 {
                    return Err(self.status_error("POST", &url, &resp));
                }
                continue;
            };
            let attr = |k: &str| {
                held.get("attributes")
                    .and_then(|a| a.get(k))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            if !is_lease(&held) {
                // Someone's own client with the lease's name: never taken over (it would
                // be deleted at the end), and its links are planned like any client's.
                return Err(anyhow::Error::new(Stop(format!(
                    "target `{}`: realm `{}` has a client `{LEASE_CLIENT}` that is not scopectl's apply lease (it lacks the `{LEASE_EXPIRES}` and `{LEASE_HOLDER}` attributes scopectl sets on its lease): nothing was applied. scopectl takes its lease under that name; rename that client",
                    self.name, self.realm
                ))));
            }
            let until = attr(LEASE_EXPIRES).unwrap_or_default();
            let expired = chrono::DateTime::parse_from_rfc3339(&until)
                .map(|t| t < chrono::Utc::now())
                .unwrap_or(true);
            if attempt == 0 && (expired || take_over) {
                if let Some(id) = str_field(&held, "id") {
                    let del = self.admin(&format!("/clients/{}", pct(&id)));
                    self.write("DELETE", &del, &Body::None, true)?;
                }
                continue;
            }
            return Err(anyhow::Error::new(Stop(format!(
                "target `{}`: another `scopectl apply` holds the lease on realm `{}` ({}, until \
                 {until}): nothing was applied. Run again when it is done; a lease left by a \
                 run that was killed expires at that time, or take it over now with \
                 --take-over-lease (only when no other apply is running)",
                self.name,
                self.realm,
                self.http
                    .scrub(&attr(LEASE_HOLDER).unwrap_or_else(|| "holder unknown".into())),
            ))));
        }
        bail!(
            "target `{}`: could not take the apply lease on realm `{}`",
            self.name,
            self.realm
        )
    }

    fn release(&mut self) -> Option<String> {
        let id = self.lease_id.take()?;
        let url = self.admin(&format!("/clients/{}", pct(&id)));
        match self.write("DELETE", &url, &Body::None, true) {
            Ok(_) => None,
            Err(e) => Some(format!(
                "could not release the apply lease (client `{LEASE_CLIENT}`): {e:#}; it expires \
                 {} minutes after it was taken, or delete the client by hand",
                LEASE_TTL.num_minutes()
            )),
        }
    }

    fn apply(
        &mut self,
        plan: &Plan,
        desired: &Desired,
        progress: &mut Progress<'_>,
    ) -> ApplyReport {
        let ops = plan.ops.clone();
        let run = run_ops(&ops, progress, |op| self.exec(op, desired));
        let readback = !run.applied.is_empty() && !run.stopped;
        let mut report = run.report(self.counts());
        if readback {
            match self.read() {
                Ok(state) => {
                    // Whatever still differs did not take (e.g. a link PUT that answered
                    // 204 and changed nothing).
                    let (rest, ..) = diff(&state, desired, &plan.options());
                    report.did_not_take = rest;
                    self.state = state;
                }
                Err(e) => report.readback_error = Some(format!("{e:#}")),
            }
        }
        report.counts = self.counts();
        report
    }
}

impl Keycloak {
    pub fn new(name: &str, t: &Target, root: &Path, http: Http) -> anyhow::Result<Keycloak> {
        let realm = t
            .realm
            .as_ref()
            .map(|r| r.get().clone())
            .ok_or_else(|| anyhow!("target `{name}`: a keycloak target needs `realm`"))?;
        let (auth, secret_source) = if let Some(user) = super::read_secret(
            name,
            "username_env",
            "admin user name",
            t.username_env.as_ref(),
            t.username_file.as_ref(),
            root,
        )? {
            let password = super::read_secret(
                name,
                "password_env",
                "admin password",
                t.password_env.as_ref(),
                t.password_file.as_ref(),
                root,
            )?
            .ok_or_else(|| {
                anyhow!("target `{name}`: `username_env` needs `password_env` or `password_file`")
            })?;
            let src = format!(
                "{} and {}",
                source_name(t.username_env.as_ref(), t.username_file.as_ref()),
                source_name(t.password_env.as_ref(), t.password_file.as_ref())
            );
            (
                Auth::AdminUser {
                    username: user,
                    password,
                },
                src,
            )
        } else {
            let client_id = t
                .client_id
                .as_ref()
                .map(|c| c.get().clone())
                .ok_or_else(|| {
                    anyhow!(
                    "target `{name}`: set `client_id` with `client_secret_env` (a service account \
                     in the realm) or `username_env` with `password_env` (a master-realm admin)"
                )
                })?;
            let secret = super::read_secret(
                name,
                "client_secret_env",
                "client secret",
                t.client_secret_env.as_ref(),
                t.client_secret_file.as_ref(),
                root,
            )?
            .ok_or_else(|| {
                anyhow!("target `{name}`: `client_id` needs `client_secret_env` or `client_secret_file`")
            })?;
            let src = source_name(t.client_secret_env.as_ref(), t.client_secret_file.as_ref());
            (Auth::ServiceAccount { client_id, secret }, src)
        };
        Ok(Keycloak {
            name: name.to_string(),
            base: t.url.trim_end_matches('/').to_string(),
            realm,
            auth,
            secret_source,
            http,
            token: None,
            state: State::default(),
            lease_id: None,
        })
    }

    fn admin(&self, path: &str) -> String {
        format!("{}/admin/realms/{}{}", self.base, pct(&self.realm), path)
    }

    fn login(&mut self) -> anyhow::Result<Secret> {
        let (realm, form): (&str, Vec<(&str, &str)>) = match &self.auth {
            Auth::ServiceAccount { client_id, secret } => (
                self.realm.as_str(),
                vec![
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", secret.expose()),
                ],
            ),
            Auth::AdminUser { username, password } => (
                "master",
                vec![
                    ("grant_type", "password"),
                    ("client_id", "admin-cli"),
                    ("username", username.expose()),
                    ("password", password.expose()),
                ],
            ),
        };
        let url = format!(
            "{}/realms/{}/protocol/openid-connect/token",
            self.base,
            pct(realm)
        );
        let resp = self.http.token(&url, &form).map_err(|e| self.net(e))?;
        if resp.status == 404 {
            bail!(
                "target `{}`: realm `{realm}` does not exist on {} (404 from its token endpoint)",
                self.name,
                self.base
            );
        }
        if resp.retryable() {
            bail!(
                "target `{}`: {} on POST {url} (the token request){}: {}",
                self.name,
                resp.status,
                resp.retry_note(self.http.settings()),
                self.http.shown(&resp)
            );
        }
        // 400 (invalid_grant, unauthorized_client) and 401 (invalid_client, invalid
        // user credentials) are Keycloak refusing the credentials; anything else is the
        // server failing to answer the request.
        if resp.status == 400 || resp.status == 401 {
            let detail = self.http.shown(&resp);
            let check = match &self.auth {
                Auth::ServiceAccount { .. } => "the client id and the secret",
                Auth::AdminUser { .. } => "the admin user name and the password",
            };
            bail!(
                "target `{}`: Keycloak rejected the credentials at {url} ({} {detail}); check \
                 {check} in {}",
                self.name,
                resp.status,
                self.secret_source
            );
        }
        if !resp.ok() {
            bail!(
                "target `{}`: {} on POST {url} (the token request): {}",
                self.name,
                resp.status,
                self.http.shown(&resp)
            );
        }
        let token = resp
            .json()?
            .get("access_token")
            .and_then(|v| v.as_str())
            .map(Secret::new)
            .ok_or_else(|| {
                anyhow!(
                    "target `{}`: the token response has no access_token",
                    self.name
                )
            })?;
        self.token = Some(token.clone());
        Ok(token)
    }

    /// An admin API call; logs in (again) on 401 once.
    fn call(
        &mut self,
        method: &str,
        url: &str,
        body: &Body<'_>,
        answer: Answer,
    ) -> anyhow::Result<Response> {
        let token = match &self.token {
            Some(t) => t.clone(),
            None => self.login().map_err(stop)?,
        };
        let resp = self
            .http
            .request(method, url, Some(&token), body, answer)
            .map_err(|e| self.net(e))?;
        if resp.status != 401 {
            return Ok(resp);
        }
        // Admin tokens are short-lived (1 minute for master's admin-cli): log in again and
        // repeat the call once.
        let token = self.login().map_err(stop)?;
        self.http.note_retry();
        self.http
            .request(method, url, Some(&token), body, answer)
            .map_err(|e| self.net(e))
    }

    /// A request that could not be made: the ops after it would fail the same way.
    fn net(&self, e: HttpError) -> anyhow::Error {
        anyhow::Error::new(Stop(format!("target `{}`: {e}", self.name)))
    }

    /// Turn an unexpected status into a clear error. 401, 403 and a transient status
    /// whose retries ran out [stop the run](Stop); any other status is the server's
    /// final answer to this one change.
    fn status_error(&self, method: &str, url: &str, resp: &Response) -> anyhow::Error {
        let what = format!("{method} {url}{}", resp.retry_note(self.http.settings()));
        let stop = |m: String| anyhow::Error::new(Stop(m));
        match resp.status {
            401 => stop(format!(
                "target `{}`: 401 Unauthorized on {what}: the token was refused",
                self.name
            )),
            403 => stop(match &self.auth {
                Auth::AdminUser { .. } => format!(
                    "target `{}`: 403 Forbidden on {what}: the master-realm admin user lacks \
                     the `manage-clients` role of the `{}-realm` client in realm `master` \
                     (`view-clients` is enough for plan and drift; the `admin` realm role \
                     has both)",
                    self.name, self.realm
                ),
                Auth::ServiceAccount { .. } => format!(
                    "target `{}`: 403 Forbidden on {what}: the account lacks the \
                     `manage-clients` role of the `realm-management` client in realm `{}` \
                     (`view-clients` is enough for plan and drift)",
                    self.name, self.realm
                ),
            }),
            s if net::is_transient(s) => stop(format!(
                "target `{}`: {s} on {what}: {}",
                self.name,
                self.http.shown(resp)
            )),
            404 => anyhow!(
                "target `{}`: 404 Not Found on {what}: {}",
                self.name,
                error_message(resp)
                    .map(|m| self.http.scrub(&m))
                    .unwrap_or_else(|| format!(
                        "does realm `{}` exist on {}?",
                        self.realm, self.base
                    ))
            ),
            s => anyhow!(
                "target `{}`: {s} on {what}: {}",
                self.name,
                self.http.shown(resp)
            ),
        }
    }

    fn get_json(&mut self, url: &str) -> anyhow::Result<serde_json::Value> {
        let resp = self.call("GET", url, &Body::None, Answer::AdminList)?;
        if !resp.ok() {
            if resp.status == 404 {
                bail!(
                    "target `{}`: realm `{}` does not exist on {} (404 on GET {url})",
                    self.name,
                    self.realm,
                    self.base
                );
            }
            return Err(self.status_error("GET", url, &resp));
        }
        Ok(resp.json()?)
    }

    /// Read the realm: one call for client scopes, one per page of clients.
    fn read(&mut self) -> anyhow::Result<State> {
        let mut state = State {
            scopes: self.read_scopes()?,
            ..State::default()
        };
        self.read_clients(&mut state)?;
        Ok(state)
    }

    /// The realm's client scopes (one read).
    fn read_scopes(&mut self) -> anyhow::Result<BTreeMap<String, KcScope>> {
        let mut scopes_read = BTreeMap::new();
        let url = self.admin("/client-scopes");
        let scopes = self.get_json(&url)?;
        for s in scopes.as_array().into_iter().flatten() {
            let (Some(name), Some(id)) = (str_field(s, "name"), str_field(s, "id")) else {
                continue;
            };
            let attributes = s
                .get("attributes")
                .and_then(|a| a.as_object())
                .map(|a| {
                    a.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            let mut mappers: Vec<KcMapper> = s
                .get("protocolMappers")
                .and_then(|m| m.as_array())
                .into_iter()
                .flatten()
                .filter_map(KcMapper::from_json)
                .collect();
            mappers.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
            scopes_read.insert(
                name,
                KcScope {
                    id,
                    description: str_field(s, "description"),
                    protocol: str_field(s, "protocol"),
                    attributes,
                    owned: mappers.iter().filter(|m| m.marked()).cloned().collect(),
                    mappers,
                },
            );
        }
        Ok(scopes_read)
    }

    /// The realm's client scopes and clients as Keycloak represents them (the shapes of a
    /// realm export's `clientScopes` and `clients`), for `scopectl import`: one
    /// `GET /client-scopes` and one `GET /clients` per page, reads only. Returns the realm
    /// name, the scopes array and the clients of every page in one array.
    pub fn read_representations(
        &mut self,
    ) -> anyhow::Result<(String, serde_json::Value, serde_json::Value)> {
        let url = self.admin("/client-scopes");
        let scopes = self.get_json(&url)?;
        let mut clients = Vec::new();
        let mut first = 0;
        let page_size = page_size();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        loop {
            let url = self.admin(&format!("/clients?first={first}&max={page_size}"));
            let page = self.get_json(&url)?;
            let serde_json::Value::Array(items) = page else {
                bail!(
                    "target `{}`: GET {url} did not answer a list of clients",
                    self.name
                );
            };
            let n = items.len();
            let mut new = 0;
            for c in items {
                let id = str_field(&c, "id").unwrap_or_default();
                if seen.insert(id) {
                    new += 1;
                    clients.push(c);
                }
            }
            if !next_page(n, new, page_size, seen.len()).map_err(anyhow::Error::msg)? {
                break;
            }
            first += page_size;
        }
        Ok((
            self.realm.clone(),
            scopes,
            serde_json::Value::Array(clients),
        ))
    }

    /// The target's name, realm and URL as one stable label (`target prod (realm shop at
    /// https://id.example.com)`): usage snapshots name their source by it.
    pub fn label(&self) -> String {
        format!(
            "target {} (realm {} at {})",
            self.name, self.realm, self.base
        )
    }

    /// A read of the events API: 403 names the role it needs (`view-events`).
    fn get_events(&mut self, url: &str) -> anyhow::Result<serde_json::Value> {
        let resp = self.call("GET", url, &Body::None, Answer::EventPage)?;
        if resp.status == 403 {
            bail!(
                "target `{}`: 403 Forbidden on GET {url}: the account lacks the `view-events` role of the `realm-management` client in realm `{}` (the only role reading usage needs)",
                self.name,
                self.realm
            );
        }
        if !resp.ok() {
            return Err(self.status_error("GET", url, &resp));
        }
        Ok(resp.json()?)
    }

    /// The realm's event settings (`GET /events/config`, needs `view-events`).
    pub fn read_event_settings(&mut self) -> anyhow::Result<serde_json::Value> {
        let url = self.admin("/events/config");
        self.get_events(&url)
    }

    /// Names of the realm's client scopes kept out of the token's `scope` claim
    /// (`include.in.token.scope` = `false`); `None` when the account may not list client
    /// scopes (`view-clients`), which reading usage does not require.
    pub fn scopes_out_of_token_claim(&mut self) -> anyhow::Result<Option<Vec<String>>> {
        let url = self.admin("/client-scopes");
        let resp = self.call("GET", &url, &Body::None, Answer::AdminList)?;
        if resp.status == 403 {
            return Ok(None);
        }
        if !resp.ok() {
            return Err(self.status_error("GET", &url, &resp));
        }
        let scopes = resp.json()?;
        Ok(Some(
            scopes
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| {
                    s.get("attributes")
                        .and_then(|a| a.get("include.in.token.scope"))
                        .and_then(|v| v.as_str())
                        == Some("false")
                })
                .filter_map(|s| str_field(s, "name"))
                .collect(),
        ))
    }

    /// Read the realm's stored events of `types` from `from_ms` to `to_ms` (epoch
    /// milliseconds, both included; Keycloak 26 takes them as `dateFrom`/`dateTo`), oldest
    /// first, in pages of `page_size`, handing each event to `each`. Pages are keyed by
    /// time: the next page starts at the last event's time (`dateFrom`, `first=0`), so the
    /// server never counts past an offset; events are told apart by `id` (or, without one,
    /// their whole text), so those at the page boundary count once, and a page of events all
    /// in one millisecond moves on with `first`. Two pages in a row with nothing new (a
    /// server that ignores paging) and more than `max_events` are errors. Returns the
    /// pages read.
    pub fn read_events(
        &mut self,
        types: &[&str],
        from_ms: i64,
        to_ms: i64,
        page_size: usize,
        max_events: usize,
        each: &mut dyn FnMut(&serde_json::Value),
    ) -> anyhow::Result<u64> {
        let filter: String = types.iter().map(|t| format!("type={}&", pct(t))).collect();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let (mut cursor, mut skip) = (from_ms, 0usize);
        let mut pages = 0u64;
        let mut stale = 0;
        loop {
            let url = self.admin(&format!(
                "/events?{filter}dateFrom={cursor}&dateTo={to_ms}&direction=asc&first={skip}&max={page_size}"
            ));
            let page = self.get_events(&url)?;
            pages += 1;
            let serde_json::Value::Array(items) = page else {
                bail!(
                    "target `{}`: GET {url} did not answer a list of events",
                    self.name
                );
            };
            let mut new = 0;
            let mut last = cursor;
            for e in &items {
                let key = str_field(e, "id").unwrap_or_else(|| e.to_string());
                if let Some(t) = e.get("time").and_then(|v| v.as_i64()) {
                    last = last.max(t);
                }
                if seen.insert(key) {
                    new += 1;
                    each(e);
                }
            }
            if items.len() < page_size {
                break;
            }
            stale = if new == 0 { stale + 1 } else { 0 };
            if stale >= 2 {
                bail!(
                    "target `{}`: Keycloak answered full pages of {} events that were all read before: the server ignores paging (`dateFrom`, `first`), so the events cannot be read to their end",
                    self.name,
                    items.len()
                );
            }
            if seen.len() >= max_events {
                bail!(
                    "target `{}`: more than {max_events} events in the window (the most one collection reads): collect a shorter window (--since/--until) and merge (--merge)",
                    self.name
                );
            }
            if last > cursor {
                (cursor, skip) = (last, 0);
            } else {
                skip += items.len();
            }
        }
        Ok(pages)
    }

    /// The newest stored event of `types` at or before `before_ms` (one request), to show
    /// that the stored events reach back past a window's start.
    pub fn newest_event_before(
        &mut self,
        types: &[&str],
        before_ms: i64,
    ) -> anyhow::Result<Option<serde_json::Value>> {
        let filter: String = types.iter().map(|t| format!("type={}&", pct(t))).collect();
        let url = self.admin(&format!(
            "/events?{filter}dateTo={before_ms}&direction=desc&first=0&max=1"
        ));
        let page = self.get_events(&url)?;
        Ok(page.as_array().and_then(|a| a.first()).cloned())
    }

    /// The realm's clients (one read per page), leaving out scopectl's lease.
    fn read_clients(&mut self, state: &mut State) -> anyhow::Result<()> {
        let mut first = 0;
        let page_size = page_size();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        loop {
            let url = self.admin(&format!("/clients?first={first}&max={page_size}"));
            let page = self.get_json(&url)?;
            let items = page.as_array().cloned().unwrap_or_default();
            let mut new = 0;
            for c in &items {
                let (Some(client_id), Some(id)) = (str_field(c, "clientId"), str_field(c, "id"))
                else {
                    continue;
                };
                if seen.insert(id.clone()) {
                    new += 1;
                }
                if client_id == LEASE_CLIENT && is_lease(c) {
                    continue;
                }
                state.clients.insert(
                    client_id,
                    KcClient {
                        id,
                        default: str_list(c, "defaultClientScopes"),
                        optional: str_list(c, "optionalClientScopes"),
                        protocol: str_field(c, "protocol"),
                    },
                );
            }
            if !next_page(items.len(), new, page_size, seen.len()).map_err(anyhow::Error::msg)? {
                break;
            }
            first += page_size;
        }
        Ok(())
    }

    /// The realm's default and optional client-scope lists (two reads).
    fn read_realm_defaults(&mut self) -> anyhow::Result<(BTreeSet<String>, BTreeSet<String>)> {
        let mut lists = Vec::new();
        for kind in ["default", "optional"] {
            let url = self.admin(&format!("/default-{kind}-client-scopes"));
            let v = self.get_json(&url)?;
            lists.push(
                v.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| str_field(s, "name"))
                    .collect::<BTreeSet<String>>(),
            );
        }
        let optional = lists.pop().unwrap_or_default();
        let default = lists.pop().unwrap_or_default();
        Ok((default, optional))
    }

    /// The role scope mappings of a client scope (one read): realm roles by name,
    /// client roles as `client/role`.
    fn read_role_mappings(&mut self, scope_id: &str) -> anyhow::Result<Vec<String>> {
        let url = self.admin(&format!("/client-scopes/{}/scope-mappings", pct(scope_id)));
        let v = self.get_json(&url)?;
        let names = |list: Option<&serde_json::Value>| -> Vec<String> {
            list.and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .filter_map(|r| str_field(r, "name"))
                .collect()
        };
        let mut roles = names(v.get("realmMappings"));
        if let Some(clients) = v.get("clientMappings").and_then(|c| c.as_object()) {
            for (key, m) in clients {
                let client = str_field(m, "client").unwrap_or_else(|| key.clone());
                roles.extend(
                    names(m.get("mappings"))
                        .into_iter()
                        .map(|r| format!("{client}/{r}")),
                );
            }
        }
        roles.sort();
        Ok(roles)
    }

    fn scope_id(&self, scope: &str) -> anyhow::Result<String> {
        self.state
            .scopes
            .get(scope)
            .map(|s| s.id.clone())
            .ok_or_else(|| anyhow!("client scope `{scope}` is not on the server"))
    }

    fn client_uuid(&self, client: &str) -> anyhow::Result<String> {
        self.state
            .clients
            .get(client)
            .map(|c| c.id.clone())
            .ok_or_else(|| anyhow!("client `{client}` is not on the server"))
    }

    fn write(
        &mut self,
        method: &str,
        url: &str,
        body: &Body<'_>,
        ok_404: bool,
    ) -> anyhow::Result<Response> {
        let resp = self.call(method, url, body, Answer::AdminWrite)?;
        if resp.ok() || (ok_404 && resp.status == 404) {
            return Ok(resp);
        }
        Err(self.status_error(method, url, &resp))
    }

    fn link_url(&self, client: &str, kind: GrantType, scope: &str) -> anyhow::Result<String> {
        let uuid = self.client_uuid(client)?;
        let sid = self.scope_id(scope)?;
        Ok(self.admin(&format!(
            "/clients/{}/{}-client-scopes/{}",
            pct(&uuid),
            kind.as_str(),
            pct(&sid)
        )))
    }

    fn exec(&mut self, op: &Op, desired: &Desired) -> anyhow::Result<()> {
        match op {
            Op::CreateScope { scope, .. } => {
                let d = desired_scope(desired, scope)?;
                let rep = representation(d, None);
                let url = self.admin("/client-scopes");
                let resp = self.call("POST", &url, &Body::Json(&rep), Answer::AdminWrite)?;
                if resp.status == 409 {
                    // Created by an earlier run that died before it could record it: adopt
                    // it if it carries our marker, never otherwise (the scopes are read
                    // again, not the clients).
                    self.state.scopes = self.read_scopes()?;
                    let existing = self.state.scopes.get(scope).cloned();
                    match existing {
                        Some(s) if s.marked() => {
                            let rep = representation(d, Some(&s.id));
                            let url = self.admin(&format!("/client-scopes/{}", pct(&s.id)));
                            self.write("PUT", &url, &Body::Json(&rep), false)?;
                            return Ok(());
                        }
                        _ => bail!("client scope `{scope}` already exists and is not scopectl's"),
                    }
                }
                if !resp.ok() {
                    return Err(self.status_error("POST", &url, &resp));
                }
                let id = resp
                    .location
                    .as_deref()
                    .and_then(|l| l.rsplit('/').next())
                    .map(str::to_string)
                    .ok_or_else(|| anyhow!("Keycloak created `{scope}` but sent no Location"))?;
                self.state.scopes.insert(
                    scope.clone(),
                    KcScope {
                        id,
                        description: Some(d.description.clone()),
                        protocol: Some("openid-connect".into()),
                        attributes: BTreeMap::new(),
                        mappers: Vec::new(),
                        owned: Vec::new(),
                    },
                );
                Ok(())
            }
            Op::UpdateScope { scope, .. } | Op::AdoptScope { scope, .. } => {
                let d = desired_scope(desired, scope)?;
                let id = self.scope_id(scope)?;
                let rep = representation(d, Some(&id));
                let url = self.admin(&format!("/client-scopes/{}", pct(&id)));
                self.write("PUT", &url, &Body::Json(&rep), false)?;
                Ok(())
            }
            Op::DeleteScope { scope, .. } => {
                let s = self
                    .state
                    .scopes
                    .get(scope)
                    .cloned()
                    .ok_or_else(|| anyhow!("client scope `{scope}` is not on the server"))?;
                // Belt and braces: the plan never holds these, a hand-edited plan might.
                if !s.marked() || is_builtin(scope) {
                    bail!("refusing to delete `{scope}`: it is built in or not scopectl's");
                }
                let url = self.admin(&format!("/client-scopes/{}", pct(&s.id)));
                self.write("DELETE", &url, &Body::None, true)?;
                Ok(())
            }
            Op::Assign {
                client,
                scope,
                kind,
            } => {
                let url = self.link_url(client, *kind, scope)?;
                self.write("PUT", &url, &Body::None, false)?;
                Ok(())
            }
            Op::Unassign {
                client,
                scope,
                kind,
                ..
            } => {
                let url = self.link_url(client, *kind, scope)?;
                self.write("DELETE", &url, &Body::None, true)?;
                Ok(())
            }
            Op::Move {
                client,
                scope,
                from,
                to,
            } => {
                let url = self.link_url(client, *from, scope)?;
                self.write("DELETE", &url, &Body::None, true)?;
                let url = self.link_url(client, *to, scope)?;
                self.write("PUT", &url, &Body::None, false)?;
                Ok(())
            }
            Op::CreateMapper { scope, claim, .. } => {
                let want = desired_mapper(desired, scope, claim)?;
                let sid = self.scope_id(scope)?;
                let url = self.admin(&format!(
                    "/client-scopes/{}/protocol-mappers/models",
                    pct(&sid)
                ));
                let resp = self.call(
                    "POST",
                    &url,
                    &Body::Json(&want.representation(None)),
                    Answer::AdminWrite,
                )?;
                if resp.status == 409 {
                    // Made by an earlier run that died before it could record it: take it
                    // back only when it carries the marker.
                    self.state.scopes = self.read_scopes()?;
                    let existing = self
                        .state
                        .scopes
                        .get(scope)
                        .and_then(|s| s.mappers.iter().find(|m| m.name == want.name))
                        .cloned();
                    return match existing {
                        Some(m) if m.marked() => self.put_mapper(&sid, &m, &want),
                        _ => bail!(
                            "a protocol mapper named `{}` already exists on `{scope}` and is not scopectl's",
                            want.name
                        ),
                    };
                }
                if !resp.ok() {
                    return Err(self.status_error("POST", &url, &resp));
                }
                Ok(())
            }
            Op::UpdateMapper {
                scope,
                claim,
                mapper,
                ..
            } => {
                let want = desired_mapper(desired, scope, claim)?;
                let sid = self.scope_id(scope)?;
                let m = self.marked_mapper(scope, mapper)?;
                self.put_mapper(&sid, &m, &want)
            }
            Op::DeleteMapper { scope, mapper, .. } => {
                let sid = self.scope_id(scope)?;
                let m = self.marked_mapper(scope, mapper)?;
                let url = self.admin(&format!(
                    "/client-scopes/{}/protocol-mappers/models/{}",
                    pct(&sid),
                    pct(&m.id)
                ));
                self.write("DELETE", &url, &Body::None, true)?;
                Ok(())
            }
            Op::SetClientScope { .. } => bail!("not a Keycloak operation"),
        }
    }

    /// scopectl's mapper `name` on `scope` as read (never a hand-made one: a hand-edited
    /// plan must not reach those).
    fn marked_mapper(&self, scope: &str, name: &str) -> anyhow::Result<KcMapper> {
        self.state
            .scopes
            .get(scope)
            .and_then(|s| s.mappers.iter().find(|m| m.name == name && m.marked()))
            .cloned()
            .ok_or_else(|| anyhow!("scope `{scope}` has no protocol mapper `{name}` of scopectl's"))
    }

    /// Write `want` over scopectl's mapper `m`: a PUT, or a delete and a create when
    /// the mapper type changes (Keycloak keeps a mapper's type).
    fn put_mapper(
        &mut self,
        sid: &str,
        m: &KcMapper,
        want: &mappers::WantMapper,
    ) -> anyhow::Result<()> {
        let models = self.admin(&format!(
            "/client-scopes/{}/protocol-mappers/models",
            pct(sid)
        ));
        let one = format!("{models}/{}", pct(&m.id));
        if m.kind != want.kind {
            self.write("DELETE", &one, &Body::None, true)?;
            self.write(
                "POST",
                &models,
                &Body::Json(&want.representation(None)),
                false,
            )?;
        } else {
            self.write(
                "PUT",
                &one,
                &Body::Json(&want.representation(Some(&m.id))),
                false,
            )?;
        }
        Ok(())
    }
}

/// The mapper the registry wants for `claim` of `scope`.
fn desired_mapper(
    desired: &Desired,
    scope: &str,
    claim: &str,
) -> anyhow::Result<mappers::WantMapper> {
    desired_scope(desired, scope)?
        .claims
        .iter()
        .find(|c| c.name == claim)
        .and_then(mappers::want)
        .with_context(|| {
            format!("scope `{scope}` no longer releases claim `{claim}` through a mapper")
        })
}

/// A failed login ends the run: every later call would need it.
fn stop(e: anyhow::Error) -> anyhow::Error {
    if super::stops_run(&e) {
        e
    } else {
        anyhow::Error::new(Stop(format!("{e:#}")))
    }
}

fn desired_scope<'a>(desired: &'a Desired, scope: &str) -> anyhow::Result<&'a DesiredScope> {
    desired
        .scopes
        .get(scope)
        .with_context(|| format!("scope `{scope}` is not in the registry any more"))
}

/// The representation scopectl writes (full: a PUT merges attributes, so every key is
/// sent every time).
fn representation(d: &DesiredScope, id: Option<&str>) -> serde_json::Value {
    let mut rep = serde_json::json!({
        "name": d.name,
        "description": d.description,
        "protocol": "openid-connect",
        "attributes": {
            "include.in.token.scope": if d.in_token_scope { "true" } else { "false" },
            "display.on.consent.screen": "true",
            "consent.screen.text": d.consent_text,
            MARKER: "true",
            DIGEST: d.digest(),
        }
    });
    if let (Some(id), Some(obj)) = (id, rep.as_object_mut()) {
        obj.insert("id".into(), serde_json::Value::String(id.to_string()));
    }
    rep
}

/// What differs between a marked scope on the server and the registry, with both values.
fn changed_fields(s: &KcScope, d: &DesiredScope) -> Vec<FieldChange> {
    let mut f = Vec::new();
    let attr = |k: &str| s.attributes.get(k).cloned();
    let mut check = |field: &str, have: Option<String>, want: &str, differs: bool| {
        if differs {
            f.push(FieldChange {
                field: field.to_string(),
                from: have,
                to: want.to_string(),
            });
        }
    };
    check(
        "description",
        s.description.clone(),
        &d.description,
        s.description.as_deref() != Some(d.description.as_str()),
    );
    check(
        "protocol",
        s.protocol.clone(),
        "openid-connect",
        s.protocol.as_deref() != Some("openid-connect"),
    );
    let include = attr("include.in.token.scope");
    let want = if d.in_token_scope { "true" } else { "false" };
    let differs = include.as_deref() != Some(want);
    check("include.in.token.scope", include, want, differs);
    let display = attr("display.on.consent.screen");
    let differs = display.as_deref().is_some_and(|v| v != "true");
    check("display.on.consent.screen", display, "true", differs);
    let consent = attr("consent.screen.text");
    let differs = consent.as_deref() != Some(d.consent_text.as_str());
    check("consent.screen.text", consent, &d.consent_text, differs);
    if f.is_empty() {
        let digest = attr(DIGEST);
        let want = d.digest();
        if digest.as_deref() != Some(want.as_str()) {
            f.push(FieldChange {
                field: DIGEST.to_string(),
                from: digest,
                to: want,
            });
        }
    }
    f
}

/// The parts of the realm a plan depends on, each with its digest: every client scope
/// the registry names or scopectl marked, and every client the registry names or that
/// holds such a scope. Anything else (a new unrelated client, a hand-made scope with
/// another name) changes no op, so it does not make a saved plan stale.
fn state_parts(state: &State, desired: &Desired) -> BTreeMap<String, String> {
    let relevant_scope =
        |n: &str| desired.scopes.contains_key(n) || state.scopes.get(n).is_some_and(|s| s.marked());
    let mut parts = BTreeMap::new();
    for (name, s) in &state.scopes {
        if relevant_scope(name) {
            parts.insert(format!("scope `{name}`"), fingerprint(s));
        }
    }
    for (id, c) in &state.clients {
        if desired.clients.contains_key(id)
            || c.default
                .iter()
                .chain(&c.optional)
                .any(|n| relevant_scope(n))
        {
            parts.insert(format!("client `{id}`"), fingerprint(c));
        }
    }
    parts
}

/// Why Keycloak cannot store this scope as the registry defines it (empty: it can).
fn over_limits(d: &DesiredScope) -> Vec<String> {
    let mut why = Vec::new();
    for (what, value, max) in [
        ("name", &d.name, MAX_FIELD_CHARS),
        ("description", &d.description, MAX_FIELD_CHARS),
        ("consent text", &d.consent_text, MAX_ATTRIBUTE_CHARS),
    ] {
        let n = value.chars().count();
        if n > max {
            why.push(format!(
                "its {what} has {n} characters, Keycloak stores at most {max}"
            ));
        }
    }
    why
}

/// " (the server has `App-A`, which differs only in case …)" when a client id of `ids`
/// matches `client` but for case.
pub(super) fn case_hint<'a>(
    client: &str,
    ids: impl IntoIterator<Item = &'a String>,
    there: &str,
) -> String {
    ids.into_iter()
        .find(|id| id.as_str() != client && id.eq_ignore_ascii_case(client))
        .map(|id| {
            format!(
                "; {there} has `{id}`, which differs only in case (client ids are \
                 case-sensitive: fix the `id` in the client file)"
            )
        })
        .unwrap_or_default()
}

/// The client scopes `--prune` would delete: scopectl's (marked), not built in, no
/// longer in the registry.
fn prune_candidates(state: &State, desired: &Desired) -> Vec<String> {
    state
        .scopes
        .iter()
        .filter(|(name, s)| s.marked() && !is_builtin(name) && !desired.scopes.contains_key(*name))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Compare server state and registry: (ops in order, errors, notes, warnings).
fn diff(
    state: &State,
    desired: &Desired,
    options: &PlanOptions,
) -> (Vec<Op>, Vec<PlanError>, Vec<String>, Vec<String>) {
    let mut ops = Vec::new();
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    // Registry scopes scopectl may not touch on this server.
    let mut blocked = BTreeSet::new();
    for (name, d) in &desired.scopes {
        if is_builtin(name) {
            errors.push(Finding::of(Rule::PushBuiltinScope, format!(
                    "registry scope `{name}` has the name of a Keycloak built-in scope; scopectl never changes built-in scopes"
                )));
            blocked.insert(name.clone());
            continue;
        }
        let limits = over_limits(d);
        let limit_error = || {
            Finding::of(
                Rule::PushServerLimit,
                format!(
                    "scope `{name}` cannot be pushed as defined: {} (a longer value fails with \
                     500); shorten it in the registry",
                    limits.join("; ")
                ),
            )
        };
        if !d.managed {
            // `managed = false`: the server's definition stays; only links are managed.
            if !state.scopes.contains_key(name) {
                errors.push(Finding::of(
                    Rule::PushMissingScope,
                    format!(
                        "scope `{name}` is `managed = false` (kept as it was made on the \
                         server) but the server has no client scope of that name; scopectl \
                         does not create it: remove `managed = false` to have it created"
                    ),
                ));
                blocked.insert(name.clone());
            }
            continue;
        }
        match state.scopes.get(name) {
            None if !limits.is_empty() => {
                // It cannot be created, so nothing can be linked to it either.
                errors.push(limit_error());
                blocked.insert(name.clone());
            }
            None => {
                ops.push(Op::CreateScope {
                    scope: name.clone(),
                    description: d.description.clone(),
                    consent_text: d.consent_text.clone(),
                });
                mappers::plan_scope(d, None, &mut ops, &mut errors, &mut warnings);
            }
            Some(s) if !s.marked() && d.adopt && !limits.is_empty() => {
                errors.push(limit_error());
                blocked.insert(name.clone());
            }
            Some(s) if !s.marked() && d.adopt => {
                let mut changes = vec![FieldChange {
                    field: MARKER.to_string(),
                    from: s.attributes.get(MARKER).cloned(),
                    to: "true".to_string(),
                }];
                changes.extend(changed_fields(s, d));
                if !changes.iter().any(|c| c.field == DIGEST) {
                    changes.push(FieldChange {
                        field: DIGEST.to_string(),
                        from: s.attributes.get(DIGEST).cloned(),
                        to: d.digest(),
                    });
                }
                ops.push(Op::AdoptScope {
                    scope: name.clone(),
                    changes,
                });
                mappers::plan_scope(d, Some(&s.mappers), &mut ops, &mut errors, &mut warnings);
            }
            Some(s) if !s.marked() => {
                let blocked_grants: Vec<String> = desired
                    .clients
                    .iter()
                    .filter_map(|(c, g)| g.get(name).map(|k| format!("`{c}` ({k})")))
                    .collect();
                let users: Vec<String> = state
                    .clients
                    .iter()
                    .flat_map(|(c, k)| {
                        [
                            (GrantType::Default, &k.default),
                            (GrantType::Optional, &k.optional),
                        ]
                        .into_iter()
                        .filter(|(_, set)| set.contains(name))
                        .map(move |(kind, _)| format!("`{c}` ({kind})"))
                    })
                    .collect();
                let list = |v: &[String]| {
                    if v.is_empty() {
                        "none".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                errors.push(Finding::of(Rule::PushUnmanagedScope, format!(
                        "a client scope named `{name}` exists on the server but was not created by scopectl (no `{MARKER}` attribute); scopectl does not take it over. Grants not pushed: {}. Clients using the hand-made scope now: {}. To take it over (it gets the registry's definition, and its links follow the registry), set `adopt = true` on `[scopes.\"{name}\"]`; or rename or delete it by hand",
                        list(&blocked_grants),
                        list(&users)
                    )));
                blocked.insert(name.clone());
            }
            // It exists: its links (and mappers) are still managed, only the update is
            // not made.
            Some(s) if !limits.is_empty() => {
                errors.push(limit_error());
                mappers::plan_scope(d, Some(&s.mappers), &mut ops, &mut errors, &mut warnings);
            }
            Some(s) => {
                mappers::plan_scope(d, Some(&s.mappers), &mut ops, &mut errors, &mut warnings);
                let changes = changed_fields(s, d);
                if !changes.is_empty() {
                    ops.push(Op::UpdateScope {
                        scope: name.clone(),
                        fields: changes.iter().map(|c| c.field.clone()).collect(),
                        changes,
                    });
                }
            }
        }
    }
    // Scopes whose links scopectl manages on every client.
    let managed = |name: &str| {
        !is_builtin(name)
            && !blocked.contains(name)
            && (desired.scopes.contains_key(name)
                || state.scopes.get(name).is_some_and(|s| s.marked()))
    };
    // Registry scopes in the realm's default or optional lists: every client created from
    // now on gets them, without a grant.
    if let Some((default, optional)) = &state.realm_defaults {
        for (list, set) in [("default", default), ("optional", optional)] {
            for name in set {
                if desired.scopes.contains_key(name) && managed(name) {
                    errors.push(Finding::of(
                        Rule::PushRealmDefaultScope,
                        format!(
                            "scopectl's scope `{name}` is in the realm's {list} client scopes: \
                             Keycloak links it to every new client, without a grant; remove it \
                             from the realm's list (Client scopes, assigned type `None`)"
                        ),
                    ));
                }
            }
        }
    }
    // Clients without a registry file that hold managed scopes: offboarded (or renamed)
    // clients, or links made by hand. scope -> who holds it, when they are left alone.
    let mut unlisted_users: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (client, c) in &state.clients {
        if desired.clients.contains_key(client) {
            continue;
        }
        let held: Vec<(GrantType, &String)> = [
            (GrantType::Default, &c.default),
            (GrantType::Optional, &c.optional),
        ]
        .into_iter()
        .flat_map(|(k, set)| set.iter().filter(|s| managed(s)).map(move |s| (k, s)))
        .collect();
        if held.is_empty() {
            continue;
        }
        // Never revoked: a client whose id a registry client has in another case (a typo
        // in the file, not an offboarding), and anyone when the registry has no clients
        // at all (a registry that did not load what it should).
        let case_twin = desired
            .clients
            .keys()
            .any(|k| k != client && k.eq_ignore_ascii_case(client));
        if options.revoke_unlisted && !case_twin && !desired.clients.is_empty() {
            for (kind, scope) in held {
                ops.push(Op::Unassign {
                    client: client.clone(),
                    scope: scope.clone(),
                    kind,
                    reason: UNLISTED.into(),
                });
            }
            continue;
        }
        let list: Vec<String> = held.iter().map(|(k, s)| format!("`{s}` ({k})")).collect();
        errors.push(Finding::of(
            Rule::PushUnlistedClient,
            format!(
                "client `{client}` has no registry file but holds scopectl's scope(s) {}: the \
                 registry says nobody holds them there. Add a client file granting them, or \
                 revoke them with `revoke_unlisted = true` in the target (or `apply \
                 --revoke-unlisted`){}{}",
                list.join(", "),
                case_hint(client, desired.clients.keys(), "the registry"),
                if !options.revoke_unlisted {
                    ""
                } else if case_twin {
                    "; not revoked while a registry client differs from it only in case"
                } else {
                    "; not revoked: the registry has no clients at all"
                }
            ),
        ));
        for (kind, scope) in held {
            unlisted_users
                .entry(scope.as_str())
                .or_default()
                .push(format!("client `{client}` ({kind})"));
        }
    }
    for name in prune_candidates(state, desired) {
        let Some(s) = state.scopes.get(&name) else {
            continue;
        };
        if !options.prune {
            notes.push(format!(
                "client scope `{name}` is scopectl's but no longer in the registry; `--prune` deletes it"
            ));
            continue;
        }
        // Who still uses it: Keycloak removes all of it with the scope.
        let mut used_by = unlisted_users.remove(name.as_str()).unwrap_or_default();
        if let Some((default, optional)) = &state.realm_defaults {
            if default.contains(&name) {
                used_by.push("the realm's default client scopes".into());
            }
            if optional.contains(&name) {
                used_by.push("the realm's optional client scopes".into());
            }
        }
        // scopectl's own mappers go with the scope; hand-made ones keep it in use.
        let hand: Vec<String> = s
            .mappers
            .iter()
            .filter(|m| !m.marked())
            .map(|m| format!("`{}`", m.name))
            .collect();
        if !hand.is_empty() {
            let names = hand;
            used_by.push(format!("its protocol mapper(s) {}", names.join(", ")));
        }
        let roles: Vec<String> = state
            .role_mappings
            .get(&name)
            .into_iter()
            .flatten()
            .map(|r| format!("`{r}`"))
            .collect();
        if !roles.is_empty() {
            used_by.push(format!("its role scope mapping(s) {}", roles.join(", ")));
        }
        if used_by.is_empty() || options.prune_in_use {
            ops.push(Op::DeleteScope {
                scope: name,
                used_by,
            });
        } else {
            errors.push(Finding::of(
                Rule::PushScopeInUse,
                format!(
                    "client scope `{name}` left the registry but is still used by {}; deleting \
                     it would remove all of that with it, so --prune leaves it: remove them \
                     first, or delete it anyway with --prune-in-use",
                    used_by.join(", ")
                ),
            ));
        }
    }
    warnings.extend(unmanaged_left_registry(state, desired));
    for (client, grants) in &desired.clients {
        let Some(c) = state.clients.get(client) else {
            if !grants.is_empty() {
                let list: Vec<&str> = grants.keys().map(String::as_str).collect();
                errors.push(Finding::of(Rule::PushMissingClient, format!(
                        "client `{client}` does not exist on the server; its grants ({}) cannot be pushed (scopectl does not create clients){}",
                        list.join(", "),
                        case_hint(client, state.clients.keys(), "the server")
                    )));
            }
            continue;
        };
        let protocol = c.protocol.as_deref().unwrap_or("openid-connect");
        for (scope, kind) in grants {
            if blocked.contains(scope) {
                continue;
            }
            if !desired.scopes.contains_key(scope) {
                errors.push(Finding::of(
                    Rule::PushUndefinedScope,
                    format!(
                        "client `{client}` is granted `{scope}`, which the registry does not define"
                    ),
                ));
                continue;
            }
            if protocol != "openid-connect" {
                errors.push(Finding::of(
                    Rule::PushProtocolMismatch,
                    format!(
                        "client `{client}` is a `{protocol}` client, and `{scope}` is an OpenID \
                         Connect scope: Keycloak links no scope of another protocol (it answers \
                         204 and changes nothing), so this grant cannot be pushed; remove it \
                         from the client file"
                    ),
                ));
                continue;
            }
            let current = if c.default.contains(scope) {
                Some(GrantType::Default)
            } else if c.optional.contains(scope) {
                Some(GrantType::Optional)
            } else {
                None
            };
            match current {
                None => ops.push(Op::Assign {
                    client: client.clone(),
                    scope: scope.clone(),
                    kind: *kind,
                }),
                Some(k)
                    if k == *kind && !(c.default.contains(scope) && c.optional.contains(scope)) => {
                }
                Some(k) if k == *kind => ops.push(Op::Unassign {
                    client: client.clone(),
                    scope: scope.clone(),
                    kind: other(k),
                    reason: LINKED_BOTH_WAYS.into(),
                }),
                Some(k) => ops.push(Op::Move {
                    client: client.clone(),
                    scope: scope.clone(),
                    from: k,
                    to: *kind,
                }),
            }
        }
        if let Some(keep) = desired.builtin.get(client) {
            builtin_ops(client, c, keep, state, &mut ops, &mut errors);
        }
        for (kind, linked) in [
            (GrantType::Default, &c.default),
            (GrantType::Optional, &c.optional),
        ] {
            for scope in linked {
                if managed(scope) && !grants.contains_key(scope) {
                    let reason = if desired.is_expired(client, scope) {
                        "expired"
                    } else {
                        "revoked (not granted in the registry)"
                    };
                    ops.push(Op::Unassign {
                        client: client.clone(),
                        scope: scope.clone(),
                        kind,
                        reason: reason.into(),
                    });
                }
            }
        }
    }
    (ops, errors, notes, warnings)
}

/// A warning for each client scope that is neither in the registry nor scopectl's (no
/// marker, not built in) but is linked to registry clients: a `managed = false` scope
/// whose definition left the registry with its grants (scopectl governed its links while
/// it was there, and without the marker it cannot tell it from a hand-made scope, so it
/// never unlinks it), or a hand-made scope the registry does not describe. Either way
/// those clients hold access the registry does not show.
fn unmanaged_left_registry(state: &State, desired: &Desired) -> Vec<String> {
    let mut out = Vec::new();
    for (name, s) in &state.scopes {
        if s.marked() || is_builtin(name) || desired.scopes.contains_key(name) {
            continue;
        }
        let holders: Vec<String> = desired
            .clients
            .keys()
            .filter_map(|id| Some((id, state.clients.get(id)?)))
            .flat_map(|(id, c)| {
                [
                    (GrantType::Default, &c.default),
                    (GrantType::Optional, &c.optional),
                ]
                .into_iter()
                .filter(|(_, set)| set.contains(name))
                .map(move |(kind, _)| format!("`{id}` ({kind})"))
            })
            .collect();
        if holders.is_empty() {
            continue;
        }
        out.push(format!(
            "client scope `{name}` is not in the registry (for this target's environment) \
             and not scopectl's (no `{MARKER}` \
             attribute), so its links are left alone, but registry client(s) {} still hold \
             it: access the registry does not show. If it left the registry (a `managed = \
             false` scope whose definition and grants were removed), define it again with \
             `managed = false` and no grants so `apply` unlinks it, then remove it; or unlink \
             it by hand. If it belongs to the registry, define it (`managed = false` keeps it \
             as it was made) and grant it",
            holders.join(", ")
        ));
    }
    out
}

/// The built-in scopes a client whose file sets `builtin_scopes` gains and loses.
fn builtin_ops(
    client: &str,
    c: &KcClient,
    keep: &BTreeSet<String>,
    state: &State,
    ops: &mut Vec<Op>,
    errors: &mut Vec<PlanError>,
) {
    let protocol = c.protocol.as_deref().unwrap_or("openid-connect");
    for name in keep {
        let problem = if !is_builtin(name) || BUILTINS_LEFT_ALONE.contains(&name.as_str()) {
            Some("is not a Keycloak built-in scope scopectl can link (grant registry scopes with `[[grants]]`)".to_string())
        } else {
            match state.scopes.get(name) {
                None => Some("does not exist on the server".to_string()),
                Some(s) if s.protocol.as_deref().unwrap_or("openid-connect") != protocol => {
                    Some(format!(
                        "is a `{}` scope and the client is a `{protocol}` client (Keycloak links no scope of another protocol)",
                        s.protocol.as_deref().unwrap_or("openid-connect")
                    ))
                }
                Some(_) => None,
            }
        };
        if let Some(why) = problem {
            errors.push(Finding::of(
                Rule::PushUnknownBuiltin,
                format!("client `{client}`: `{name}` in builtin_scopes {why}; it is not linked"),
            ));
            continue;
        }
        if !c.default.contains(name) && !c.optional.contains(name) {
            ops.push(Op::Assign {
                client: client.to_string(),
                scope: name.clone(),
                kind: builtin_kind(name),
            });
        }
    }
    for (kind, linked) in [
        (GrantType::Default, &c.default),
        (GrantType::Optional, &c.optional),
    ] {
        for name in linked {
            if is_builtin(name)
                && !BUILTINS_LEFT_ALONE.contains(&name.as_str())
                && !keep.contains(name)
            {
                ops.push(Op::Unassign {
                    client: client.to_string(),
                    scope: name.clone(),
                    kind,
                    reason: NOT_IN_BUILTINS.into(),
                });
            }
        }
    }
}

fn other(k: GrantType) -> GrantType {
    match k {
        GrantType::Default => GrantType::Optional,
        GrantType::Optional => GrantType::Default,
    }
}

fn source_name(
    env: Option<&crate::registry::Sp<String>>,
    file: Option<&crate::registry::Sp<String>>,
) -> String {
    match (env, file) {
        (Some(e), _) => format!("${}", e.as_str()),
        (None, Some(f)) => format!("`{}`", f.as_str()),
        _ => "the target's secret".into(),
    }
}

fn str_field(v: &serde_json::Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

fn str_list(v: &serde_json::Value, k: &str) -> BTreeSet<String> {
    v.get(k)
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn error_message(resp: &Response) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(&resp.body).ok()?;
    ["errorMessage", "error_description", "error"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::to_string))
}

#[cfg(test)]
mod tests {

    #[test]
    fn paging_stops_at_a_short_page_a_repeated_page_or_the_client_limit() {
        assert_eq!(next_page(3, 3, 500, 3), Ok(false));
        assert_eq!(next_page(500, 500, 500, 500), Ok(true));
        // A server that ignores `first` answers the same full page again.
        let repeated = next_page(500, 0, 500, 500).unwrap_err();
        assert!(repeated.contains("ignores `first`"), "{repeated}");
        // A server that invents new clients for ever is stopped at the limit.
        assert!(next_page(500, 500, 500, MAX_CLIENTS).is_err());
        assert_eq!(next_page(500, 500, 500, MAX_CLIENTS - 1), Ok(true));
    }

    use super::*;

    #[test]
    fn usage_knows_every_builtin_scope() {
        for s in BUILTIN_SCOPES {
            assert!(crate::usage::is_server_scope(s), "{s}");
        }
        assert!(!crate::usage::is_server_scope("orders:read"));
    }

    fn prune() -> PlanOptions {
        PlanOptions {
            prune: true,
            ..PlanOptions::default()
        }
    }

    fn scope(marked: bool) -> KcScope {
        let mut attributes = BTreeMap::new();
        if marked {
            attributes.insert(MARKER.to_string(), "true".to_string());
        }
        KcScope {
            id: "id".into(),
            description: None,
            protocol: Some("openid-connect".into()),
            attributes,
            mappers: Vec::new(),
            owned: Vec::new(),
        }
    }

    #[test]
    fn builtin_and_unmarked_scopes_are_never_deleted() {
        let mut state = State::default();
        state.scopes.insert("profile".into(), scope(true));
        state.scopes.insert("hand:made".into(), scope(false));
        state.scopes.insert("old:scope".into(), scope(true));
        let (ops, ..) = diff(&state, &Desired::default(), &prune());
        assert_eq!(
            ops,
            vec![Op::DeleteScope {
                scope: "old:scope".into(),
                used_by: Vec::new(),
            }]
        );
    }
    fn desired_one(kind: GrantType) -> Desired {
        let mut d = Desired::default();
        d.scopes.insert(
            "a:b".into(),
            DesiredScope {
                name: "a:b".into(),
                description: "d".into(),
                consent_text: "d".into(),
                adopt: false,
                managed: true,
                in_token_scope: true,
                claims: Vec::new(),
            },
        );
        d.clients
            .entry("app".into())
            .or_default()
            .insert("a:b".into(), kind);
        d
    }

    fn state_with_link(default: &[&str], optional: &[&str]) -> State {
        let mut state = State::default();
        let mut s = scope(true);
        s.description = Some("d".into());
        s.attributes
            .insert("include.in.token.scope".into(), "true".into());
        s.attributes
            .insert("consent.screen.text".into(), "d".into());
        s.attributes.insert(
            DIGEST.into(),
            desired_one(GrantType::Default).scopes["a:b"].digest(),
        );
        state.scopes.insert("a:b".into(), s);
        state.clients.insert(
            "app".into(),
            KcClient {
                id: "uuid".into(),
                default: default.iter().map(|x| x.to_string()).collect(),
                optional: optional.iter().map(|x| x.to_string()).collect(),
                protocol: None,
            },
        );
        state
    }

    #[test]
    fn default_to_optional_is_one_move() {
        let (ops, errors, ..) = diff(
            &state_with_link(&["a:b"], &[]),
            &desired_one(GrantType::Optional),
            &PlanOptions::default(),
        );
        assert!(errors.is_empty());
        assert_eq!(
            ops,
            vec![Op::Move {
                client: "app".into(),
                scope: "a:b".into(),
                from: GrantType::Default,
                to: GrantType::Optional
            }]
        );
    }

    #[test]
    fn matching_state_plans_nothing() {
        let (ops, errors, notes, _) = diff(
            &state_with_link(&["a:b", "profile"], &[]),
            &desired_one(GrantType::Default),
            &prune(),
        );
        assert!(
            ops.is_empty() && errors.is_empty() && notes.is_empty(),
            "{ops:?}"
        );
    }

    #[test]
    fn missing_client_is_an_error_not_an_op() {
        let mut state = state_with_link(&[], &[]);
        state.clients.clear();
        let (ops, errors, ..) = diff(
            &state,
            &desired_one(GrantType::Default),
            &PlanOptions::default(),
        );
        assert!(ops.is_empty());
        assert_eq!(errors[0].rule, Rule::PushMissingClient);
    }
}
