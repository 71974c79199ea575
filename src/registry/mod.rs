//! The registry: loading scope, client and policy files from disk or from git blobs into
//! one checked model.
//!
//! Loading never stops at the first broken file: every file is parsed (in parallel) and
//! every problem becomes a `load/*` diagnostic naming file, line and column. A registry
//! with load errors must not be linted, diffed or pushed.

pub mod apis;
pub mod claims;
pub mod environments;
pub mod exceptions;
pub mod files;
pub mod openapi;
pub mod people;
pub mod policy;
pub mod source;
pub mod sparse;
pub mod types;
pub mod yaml_depth;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use crate::finding::{FileId, Files, Finding, Severity};
use crate::registry::policy::Policy;
use crate::rules::Rule;
pub use files::{
    ClientDef, ClientFile, Decision, ExceptionDef, GrantDef, PolicyFile, ReviewDef, ReviewEntry,
    ReviewFile, ScopeDef, ScopeFile, TeamDef, TeamsFile,
};
pub use people::People;
pub use source::Source;
pub use types::{Approvers, Date, GrantType, Lifetime, Sensitivity, Sp};

/// Name of the policy file at the registry root.
pub const POLICY_FILE: &str = "scopectl.toml";
/// Folder of scope files.
pub const SCOPES_DIR: &str = "scopes";
/// Folder of client files.
pub const CLIENTS_DIR: &str = "clients";
/// Folder of team files.
pub const TEAMS_DIR: &str = "teams";
/// Folder of access-review campaigns.
pub const REVIEWS_DIR: &str = "reviews";
/// Folder of API files (`[apis.NAME]`).
pub const APIS_DIR: &str = "apis";
/// The registry's folders, as the loader reads them.
pub const REGISTRY_DIRS: &[&str] = &[SCOPES_DIR, CLIENTS_DIR, TEAMS_DIR, REVIEWS_DIR, APIS_DIR];

/// What a path inside a registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Policy,
    Scopes,
    Client,
    Teams,
    Review,
    Apis,
}

impl FileKind {
    /// Classify a `/`-separated path relative to the registry root. `None` for files
    /// scopectl does not read (hidden ones included: `clients/.old.toml`).
    pub fn of(path: &str) -> Option<FileKind> {
        if path == POLICY_FILE {
            return Some(FileKind::Policy);
        }
        if source::is_hidden(path) {
            return None;
        }
        let is_toml = path.ends_with(".toml");
        if is_toml && path.starts_with("scopes/") {
            Some(FileKind::Scopes)
        } else if is_toml && path.starts_with("clients/") {
            Some(FileKind::Client)
        } else if is_toml && path.starts_with("teams/") {
            Some(FileKind::Teams)
        } else if is_toml && path.starts_with("reviews/") {
            Some(FileKind::Review)
        } else if is_toml && path.starts_with("apis/") {
            Some(FileKind::Apis)
        } else {
            None
        }
    }
}

/// A scope definition and where it was written.
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    pub file: FileId,
    /// Span of the key in `[scopes."name"]`.
    pub name_span: Range<usize>,
    pub def: ScopeDef,
}

/// A client and where it was written.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub file: FileId,
    pub def: ClientDef,
    /// Span of the `[client]` table.
    pub span: Range<usize>,
    pub grants: Vec<Grant>,
}

/// One `[[grants]]` entry.
#[derive(Debug, Clone)]
pub struct Grant {
    pub file: FileId,
    /// Span of the `[[grants]]` table.
    pub span: Range<usize>,
    pub def: GrantDef,
}

impl Grant {
    pub fn scope(&self) -> &str {
        self.def.scope.as_str()
    }

    /// Expired on `today`: the expiry date is the last valid day.
    pub fn is_expired(&self, today: chrono::NaiveDate) -> bool {
        self.def.expires.as_ref().is_some_and(|e| e.0 < today)
    }

    /// Days from `today` until the grant expires (0 on its last day, negative once expired).
    pub fn days_left(&self, today: chrono::NaiveDate) -> Option<i64> {
        self.def.expires.as_ref().map(|e| (e.0 - today).num_days())
    }
}

/// A loaded registry.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub files: Files,
    pub policy: Policy,
    /// The parsed `scopectl.toml`, if there is one.
    pub policy_file: Option<(FileId, PolicyFile)>,
    pub scopes: BTreeMap<String, Scope>,
    pub clients: BTreeMap<String, Client>,
    /// Declared teams and their members.
    pub people: People,
    /// Access-review campaigns, by name (the file name under `reviews/` without `.toml`).
    pub reviews: BTreeMap<String, Review>,
    /// APIs and what their operations need (`apis/*.toml`), by name.
    pub apis: BTreeMap<String, apis::Api>,
    /// `[client.ids]` by client_id, built on first use
    /// ([`Registry::client_for_token`]).
    pub(crate) client_ids: std::sync::OnceLock<environments::ClientIds>,
}

/// An access-review campaign and where it was written.
#[derive(Debug, Clone)]
pub struct Review {
    pub name: String,
    pub file: FileId,
    pub def: ReviewFile,
}

/// The result of loading: the registry (partial when there are errors) and diagnostics.
#[derive(Debug)]
pub struct Loaded {
    pub registry: Registry,
    pub diagnostics: Vec<Finding>,
}

impl Loaded {
    /// True when nothing stopped the registry from loading completely.
    pub fn is_ok(&self) -> bool {
        !self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

enum Parsed {
    Policy(Box<PolicyFile>),
    Scopes(ScopeFile),
    Client(Box<ClientFile>),
    Teams(TeamsFile),
    Review(Box<ReviewFile>),
    Apis(apis::ApisFile),
    Failed,
}

impl Registry {
    /// Load from a directory on disk.
    pub fn load_dir(root: &std::path::Path) -> anyhow::Result<Loaded> {
        let sources = source::read_dir(root)?;
        let mut loaded = Self::load(sources);
        apis::resolve_dir(&mut loaded, root);
        Ok(loaded)
    }

    /// Load from in-memory sources (files on disk or blobs from a git tree). Paths are
    /// relative to the registry root and `/`-separated.
    pub fn load(sources: Vec<Source>) -> Loaded {
        let mut files = Files::new();
        let mut diagnostics = Vec::new();
        let mut to_parse: Vec<(FileId, FileKind)> = Vec::new();

        let mut sources = sources;
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        // A listing of paths (git's index) names a hidden folder once per file in it.
        sources.dedup_by(|a, b| a.path == b.path && a.path.ends_with('/'));
        for src in sources {
            let Some(kind) = FileKind::of(&src.path) else {
                if let Err(e) = &src.bytes {
                    let id = files.add(src.path.clone(), String::new());
                    diagnostics.push(
                        Finding::error(
                            Rule::LoadUnreadable,
                            format!("cannot read {}: {e}", src.path),
                        )
                        .in_file(id),
                    );
                    continue;
                }
                let in_registry_dir = src.path.starts_with("scopes/")
                    || src.path.starts_with("clients/")
                    || src.path.starts_with("teams/")
                    || src.path.starts_with("reviews/")
                    || src.path.starts_with("apis/");
                let at_root = !src.path.trim_end_matches('/').contains('/');
                // OpenAPI files may sit next to the API files that name them.
                let is_doc = src.path.ends_with(".md")
                    || src.path.ends_with(".txt")
                    || (src.path.starts_with("apis/")
                        && [".yaml", ".yml", ".json"]
                            .iter()
                            .any(|e| src.path.ends_with(e)));
                if !at_root && source::is_hidden(&src.path) {
                    let id = files.add(src.path.clone(), String::new());
                    let what = if src.path.ends_with('/') {
                        "hidden folders"
                    } else {
                        "hidden files"
                    };
                    diagnostics.push(
                        Finding::warning(
                            Rule::LoadIgnoredFile,
                            format!(
                                "{} is not read: {what} (a name starting with `.`) are not part of the registry",
                                src.path
                            ),
                        )
                        .in_file(id)
                        .help("rename it without the leading `.` if it holds scopes, clients, teams or APIs; move it out of the registry otherwise"),
                    );
                } else if at_root {
                    let id = files.add(src.path.clone(), String::new());
                    let help = if src.path.ends_with('/') {
                        "the folders are named exactly scopes/ and clients/ (lower case)"
                    } else {
                        "the policy file is named exactly scopectl.toml; scope and client files go under scopes/ and clients/"
                    };
                    diagnostics.push(
                        Finding::warning(
                            Rule::LoadIgnoredFile,
                            format!(
                                "{} is not read: it is not part of the registry layout",
                                src.path
                            ),
                        )
                        .in_file(id)
                        .help(help),
                    );
                } else if in_registry_dir && !is_doc && !src.path.ends_with('/') {
                    let id = files.add(src.path.clone(), String::new());
                    diagnostics.push(
                        Finding::warning(
                            Rule::LoadIgnoredFile,
                            format!("{} is not read: only *.toml files are part of the registry", src.path),
                        )
                        .in_file(id)
                        .help("rename it to *.toml if it holds scopes or a client, or move it out of the registry"),
                    );
                }
                continue;
            };
            match src.bytes {
                Err(e) => {
                    let id = files.add(src.path.clone(), String::new());
                    diagnostics.push(
                        Finding::error(
                            Rule::LoadUnreadable,
                            format!("cannot read {}: {e}", src.path),
                        )
                        .in_file(id),
                    );
                }
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        // Spans point into the text as parsed: the file is kept with
                        // its line breaks as `\n` (line and column numbers are the same).
                        let text = match normalize_line_breaks(&text) {
                            std::borrow::Cow::Borrowed(_) => text,
                            std::borrow::Cow::Owned(lf) => lf,
                        };
                        let id = files.add(src.path, text);
                        to_parse.push((id, kind));
                    }
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                        // Offsets in the lossy text match the original up to the first bad byte.
                        let id = files.add(src.path.clone(), text);
                        diagnostics.push(
                            Finding::error(
                                Rule::LoadNotUtf8,
                                format!("{} is not valid UTF-8", src.path),
                            )
                            .at(id, at..at + 1, "invalid byte sequence here")
                            .help("TOML files must be UTF-8; re-save the file as UTF-8"),
                        );
                    }
                },
            }
        }

        let parsed = parse_all(&files, &to_parse);

        let mut registry = Registry {
            files: Files::new(),
            ..Default::default()
        };
        let mut scope_files: Vec<(FileId, ScopeFile)> = Vec::new();
        let mut client_files: Vec<(FileId, ClientFile)> = Vec::new();
        let mut team_files: Vec<(FileId, TeamsFile)> = Vec::new();
        let mut api_files: Vec<(FileId, apis::ApisFile)> = Vec::new();
        let nested = nested_roots(&files, &to_parse);
        for ((id, _), (result, diags)) in to_parse.iter().zip(parsed) {
            for d in diags {
                let d = redact_misplaced_secret(&mut files, d);
                diagnostics.push(point_at_nested_root(&files, &nested, d));
            }
            match result {
                Parsed::Policy(p) => registry.policy_file = Some((*id, *p)),
                Parsed::Scopes(s) => scope_files.push((*id, s)),
                Parsed::Client(c) => client_files.push((*id, *c)),
                Parsed::Teams(t) => team_files.push((*id, t)),
                Parsed::Apis(a) => api_files.push((*id, a)),
                Parsed::Review(r) => {
                    let name = review_name(files.name(*id));
                    for e in &r.entries {
                        for text in [&e.client, &e.scope]
                            .into_iter()
                            .chain(e.justification.iter())
                            .chain(e.note.iter())
                            .chain(e.reviewers.iter())
                        {
                            check_text(*id, text, &mut diagnostics);
                        }
                        if let Some(by) = &e.decided_by {
                            check_identity(*id, "decided_by", by, &mut diagnostics);
                            check_text(*id, by, &mut diagnostics);
                        }
                    }
                    registry.reviews.insert(
                        name.clone(),
                        Review {
                            name,
                            file: *id,
                            def: *r,
                        },
                    );
                }
                Parsed::Failed => {}
            }
        }

        // Kept in the policy file too: `diff` shows a change of its teams as a policy change.
        if let Some((id, pf)) = &registry.policy_file {
            team_files.insert(
                0,
                (
                    *id,
                    TeamsFile {
                        teams: pf.teams.clone(),
                    },
                ),
            );
        }
        registry.people = people::load(team_files, &mut diagnostics);

        if let Some((id, pf)) = &registry.policy_file {
            people::check_policy(*id, pf, &registry.people, &mut diagnostics);
            match Policy::resolve(&pf.policy) {
                Ok(p) => registry.policy = p,
                Err((msg, span)) => diagnostics.push(
                    Finding::error(Rule::LoadInvalidValue, msg).at(*id, span, "invalid pattern"),
                ),
            }
            if let Some(path) = &pf.policy.allowed_signers {
                if let Some(msg) = policy::allowed_signers_error(path.get()) {
                    diagnostics.push(Finding::error(Rule::LoadInvalidValue, msg).at(
                        *id,
                        path.span(),
                        "must be a path inside the registry folder",
                    ));
                }
            }
            check_rule_levels(*id, &pf.rules, &mut diagnostics);
        }

        for (file, sf) in scope_files {
            for (name, def) in sf.scopes {
                check_scope_token(file, &name, &mut diagnostics);
                check_identity(file, "owner", &def.owner, &mut diagnostics);
                for text in [&def.description, &def.owner]
                    .into_iter()
                    .chain(def.consent_text.iter())
                    .chain(def.replaced_by.iter())
                    .chain(def.exclude_environments.iter())
                {
                    check_text(file, text, &mut diagnostics);
                }
                check_claims(file, &def, &mut diagnostics);
                if let Some(first) = registry.scopes.get(name.as_str()) {
                    diagnostics.push(
                        Finding::error(
                            Rule::LoadDuplicateScope,
                            format!("scope `{}` is defined twice", name.get()),
                        )
                        .at(file, name.span(), "defined again here")
                        .also(first.file, first.name_span.clone(), "first defined here")
                        .help("a scope string is one token value: keep exactly one definition"),
                    );
                    continue;
                }
                registry.scopes.insert(
                    name.get().clone(),
                    Scope {
                        name: name.get().clone(),
                        file,
                        name_span: name.span(),
                        def: def.into_inner(),
                    },
                );
            }
        }

        // Client ids by their identity key (NFKC, lower case), to catch look-alikes.
        let mut client_keys: std::collections::HashMap<String, String> =
            std::collections::HashMap::new();
        for (file, cf) in client_files {
            let span = cf.client.span();
            let def = cf.client.into_inner();
            if let Some(first) = registry.clients.get(def.id.as_str()) {
                diagnostics.push(
                    Finding::error(
                        Rule::LoadDuplicateClient,
                        format!("client `{}` is defined twice", crate::text::clean(&def.id)),
                    )
                    .at(file, def.id.span(), "defined again here")
                    .also(first.file, first.def.id.span(), "first defined here")
                    .help("keep one file per client"),
                );
                continue;
            }
            check_text(file, &def.id, &mut diagnostics);
            check_invisible(
                file,
                "id",
                &def.id,
                def.id.span(),
                CLIENT_ID_HELP,
                &mut diagnostics,
            );
            let key = crate::text::identity_key(&def.id);
            if let Some(first) = client_keys
                .get(&key)
                .and_then(|id| registry.clients.get(id))
            {
                diagnostics.push(
                    Finding::error(
                        Rule::LoadDuplicateClient,
                        format!(
                            "client `{}` looks the same as client `{}`: the ids differ only in case, width or invisible characters",
                            shown(&def.id),
                            shown(&first.id)
                        ),
                    )
                    .at(file, def.id.span(), "defined again here")
                    .also(first.file, first.def.id.span(), "first defined here")
                    .help("keep one file per client; a look-alike id would pass for the other client in a review"),
                );
                continue;
            }
            client_keys.insert(key, def.id.get().clone());
            if def.id.chars().any(char::is_whitespace) {
                diagnostics.push(
                    Finding::error(
                        Rule::LoadInvalidValue,
                        format!(
                            "client id `{}` contains whitespace",
                            crate::text::clean(&def.id)
                        ),
                    )
                    .at(file, def.id.span(), "not a client_id"),
                );
            }
            for text in def
                .owner
                .iter()
                .chain(def.description.iter())
                .chain(def.builtin_scopes.iter().flatten())
            {
                check_text(file, text, &mut diagnostics);
            }
            if let Some(owner) = &def.owner {
                check_identity(file, "owner", owner, &mut diagnostics);
            }
            check_environment_list(file, "environments", &def.environments, &mut diagnostics);
            for (env, id) in &def.ids {
                check_text(file, env, &mut diagnostics);
                check_text(file, id, &mut diagnostics);
                let key = format!("[client.ids] {}", crate::text::clean(env));
                check_invisible(file, &key, id, id.span(), CLIENT_ID_HELP, &mut diagnostics);
                if id.is_empty() || id.chars().any(char::is_whitespace) {
                    diagnostics.push(
                        Finding::error(
                            Rule::LoadInvalidValue,
                            format!(
                                "client id `{}` for environment `{}` is empty or contains whitespace",
                                crate::text::clean(id),
                                crate::text::clean(env)
                            ),
                        )
                        .at(file, id.span(), "not a client_id"),
                    );
                }
            }
            for g in &cf.grants {
                check_environment_list(file, "environments", &g.environments, &mut diagnostics);
                check_scope_token(file, &g.scope, &mut diagnostics);
                let people = [
                    ("approved_by", &g.approved_by),
                    ("reviewed_by", &g.reviewed_by),
                ];
                for (key, by) in people.iter().filter_map(|(k, b)| Some((k, b.as_ref()?))) {
                    for (a, span) in by.located(by.span()) {
                        check_identity_at(file, key, a, span.clone(), &mut diagnostics);
                        check_text_at(file, a, span, &mut diagnostics);
                    }
                }
                for text in g.justification.iter().chain(g.ticket.iter()) {
                    check_text(file, text, &mut diagnostics);
                }
            }
            let grants = cf
                .grants
                .into_iter()
                .map(|g| Grant {
                    file,
                    span: g.span(),
                    def: g.into_inner(),
                })
                .collect();
            registry.clients.insert(
                def.id.get().clone(),
                Client {
                    id: def.id.get().clone(),
                    file,
                    def,
                    span,
                    grants,
                },
            );
        }

        check_ids_per_environment(&registry, &mut diagnostics);
        registry.apis = apis::load(api_files, &mut diagnostics);
        registry.files = files;
        Loaded {
            registry,
            diagnostics,
        }
    }

    /// This registry with some client, scope and review files replaced or added (an
    /// edit), parsing only those files again. `None` when that is not enough and the
    /// caller must load everything (a policy or team file changed, an edited file has a
    /// load problem, or a scope or client id it defines is also defined elsewhere: the
    /// full load reports those with both places). Paths that are not registry files
    /// (`revoked/` logs) are ignored.
    pub fn with_files(mut self, changed: &[(String, String)]) -> Option<Registry> {
        let mut sources = Vec::new();
        for (rel, text) in changed {
            match FileKind::of(rel) {
                None => {}
                Some(FileKind::Client | FileKind::Scopes | FileKind::Review) => {
                    sources.push(Source {
                        path: rel.clone(),
                        bytes: Ok(text.clone().into_bytes()),
                    })
                }
                Some(FileKind::Policy | FileKind::Teams | FileKind::Apis) => return None,
            }
        }
        let mini = Registry::load(sources);
        if !mini.diagnostics.is_empty() {
            return None;
        }
        let mini = mini.registry;
        // Map each edited file to its id here (new files are added).
        let mut id_of = std::collections::HashMap::new();
        for (mini_id, (rel, _)) in changed
            .iter()
            .filter(|(rel, _)| FileKind::of(rel).is_some())
            .filter_map(|c| Some((mini.files.find(&c.0)?, c)))
        {
            // The text as loaded (line breaks as `\n`), which the spans point into.
            let text = mini.files.text(mini_id);
            let id = match self.files.find(rel) {
                Some(id) => {
                    self.files.set_text(id, text);
                    id
                }
                None => self.files.add(rel.clone(), text),
            };
            id_of.insert(mini_id, id);
        }
        let edited: std::collections::HashSet<FileId> = id_of.values().copied().collect();
        self.scopes.retain(|_, s| !edited.contains(&s.file));
        self.clients.retain(|_, c| !edited.contains(&c.file));
        self.reviews.retain(|_, r| !edited.contains(&r.file));
        let clash = mini.scopes.keys().any(|k| self.scopes.contains_key(k))
            || mini.clients.keys().any(|k| {
                let key = crate::text::identity_key(k);
                self.clients.contains_key(k)
                    || self
                        .clients
                        .keys()
                        .any(|o| crate::text::identity_key(o) == key)
            });
        if clash {
            return None;
        }
        let remap = |id: FileId| id_of.get(&id).copied().unwrap_or(id);
        for (name, mut scope) in mini.scopes {
            scope.file = remap(scope.file);
            self.scopes.insert(name, scope);
        }
        for (id, mut client) in mini.clients {
            client.file = remap(client.file);
            for g in &mut client.grants {
                g.file = remap(g.file);
            }
            self.clients.insert(id, client);
        }
        for (name, mut review) in mini.reviews {
            review.file = remap(review.file);
            self.reviews.insert(name, review);
        }
        // Checks across clients that the full load makes: leave a clash to it.
        let mut clashes = Vec::new();
        check_ids_per_environment(&self, &mut clashes);
        if !clashes.is_empty() {
            return None;
        }
        Some(self)
    }

    /// The grants of a client that are not expired on `today`.
    pub fn active_grants<'a>(
        &'a self,
        client: &'a Client,
        today: chrono::NaiveDate,
    ) -> impl Iterator<Item = &'a Grant> + 'a {
        client.grants.iter().filter(move |g| !g.is_expired(today))
    }
}

/// `[rules]` of the policy file: an id that is no rule, or a rule `[rules]` may not set,
/// is `load/unknown-rule`. Lint and token rules may be named; a rule whose level is fixed
/// (what decides whether a token is genuine or accepted) keeps it whatever is written
/// (docs/decode.md), and a level other than its own is `load/rule-not-configurable`, at
/// the level `[rules]` gives that rule (a warning by default). Its own level is not
/// reported: it changes nothing.
fn check_rule_levels(
    file: FileId,
    rules: &BTreeMap<Sp<String>, Sp<crate::finding::Level>>,
    out: &mut Vec<Finding>,
) {
    let own = Rule::LoadRuleNotConfigurable;
    let severity = rules
        .iter()
        .find(|(k, _)| k.as_str() == own.id())
        .map_or(own.level(), |(_, level)| **level)
        .severity();
    for (rule, level) in rules {
        let d = match Rule::from_id(rule.as_str()) {
            Some(r) if r.configurable() || (r.nameable_in_rules() && **level == r.level()) => {
                continue
            }
            Some(r) if r.nameable_in_rules() => {
                let Some(severity) = severity else { continue };
                let fixed = r.level().as_str();
                let instead = match r {
                    Rule::TokenExpired | Rule::TokenNotYetValid => {
                        "; to tolerate clocks that differ, set `clock_skew` in [policy]"
                    }
                    Rule::TokenOversize => {
                        "; to allow larger headers, set `header_budget` in [policy]"
                    }
                    _ => "",
                };
                Finding::new(
                    own,
                    severity,
                    format!(
                        "[rules] sets \"{r}\" = \"{}\", but the level of {r} is fixed at `{fixed}`: this setting has no effect",
                        level.as_str()
                    ),
                )
                .at(file, rule.span(), "not configurable")
                .help(format!(
                    "remove the line: {r} runs at `{fixed}` whatever [rules] says (docs/rules.md says which rules are configurable){instead}"
                ))
            }
            Some(r) => {
                let family: &str = r.family().into();
                Finding::error(
                    Rule::LoadUnknownRule,
                    format!("`{r}` is a {family} rule, not a lint or token rule: its level is fixed at `{}` and [rules] cannot set it", r.level().as_str()),
                )
                .at(file, rule.span(), "not a rule [rules] may set")
                .help("remove the line; `scopectl lint --list-rules` and `scopectl decode --list-rules` list the rules [rules] may set, docs/rules.md which are configurable")
            }
            None => {
                let d = Finding::error(
                    Rule::LoadUnknownRule,
                    format!("`{}` is not a scopectl rule", rule.get()),
                )
                .at(file, rule.span(), "unknown rule id");
                match Rule::closest(rule.as_str()) {
                    Some(close) => d.help(format!("did you mean `{close}`?")),
                    None => d.help("`scopectl lint --list-rules` and `scopectl decode --list-rules` list the rule ids; docs/rules.md lists every rule"),
                }
            }
        };
        out.push(d);
    }
}

/// `environments = []` reaches nowhere: say so rather than push nothing silently.
fn check_environment_list(
    file: FileId,
    key: &str,
    list: &Option<Vec<Sp<String>>>,
    out: &mut Vec<Finding>,
) {
    let Some(list) = list else { return };
    for e in list {
        check_text(file, e, out);
    }
    if list.is_empty() {
        out.push(
            Finding::error(
                Rule::LoadInvalidValue,
                format!("`{key}` is an empty list: it would reach no environment"),
            )
            .in_file(file)
            .help("name at least one environment, or leave the key out to reach every environment"),
        );
    }
}

/// Two clients that would be the same `client_id` in one environment (`[client.ids]`
/// giving one the other's id) would push to the same server client: a load error naming
/// both.
fn check_ids_per_environment(registry: &Registry, out: &mut Vec<Finding>) {
    let with_ids: Vec<&Client> = registry
        .clients
        .values()
        .filter(|c| !c.def.ids.is_empty())
        .collect();
    for c in &with_ids {
        for (env, id) in &c.def.ids {
            let key = crate::text::identity_key(id);
            let other = registry.clients.values().find(|o| {
                o.id != c.id
                    && (o.def.id_in(env) == id.as_str()
                        || crate::text::identity_key(o.def.id_in(env)) == key)
            });
            if let Some(o) = other {
                let theirs = o.def.id_in(env);
                let same = if theirs == id.as_str() {
                    format!("would both be `{}`", crate::text::clean(id))
                } else {
                    format!(
                        "would be `{}` and `{}`, which differ only in case, width or invisible characters,",
                        shown(id),
                        shown(theirs)
                    )
                };
                out.push(
                    Finding::error(
                        Rule::LoadDuplicateClient,
                        format!(
                            "clients `{}` and `{}` {same} in environment `{}`",
                            crate::text::clean(&c.id),
                            crate::text::clean(&o.id),
                            crate::text::clean(env)
                        ),
                    )
                    .at(c.file, id.span(), "this client_id in that environment")
                    .also(o.file, o.def.id.span(), "the other client")
                    .help("each client needs its own client_id in every environment"),
                );
            }
        }
    }
}

/// An unknown key that looks like a secret (`client_secret = "…"`): blank its value in
/// the file store so no output shows it, and say where secrets go instead.
fn redact_misplaced_secret(files: &mut Files, mut d: Finding) -> Finding {
    if d.rule != Rule::LoadUnknownKey {
        return d;
    }
    let Some(p) = d.primary.clone() else {
        return d;
    };
    let text = files.text(p.file);
    let key = text.get(p.span.clone()).unwrap_or("").to_lowercase();
    let secretish = [
        "secret",
        "password",
        "passwd",
        "token",
        "credential",
        "api_key",
        "apikey",
    ]
    .iter()
    .any(|w| key.contains(w));
    if !secretish || key.ends_with("_env") || key.ends_with("_file") {
        return d;
    }
    let line_end = text[p.span.end..]
        .find('\n')
        .map(|i| p.span.end + i)
        .unwrap_or(text.len());
    // Keep the key and ` = ` visible; blank the value.
    let value_start = text[p.span.end..line_end]
        .find('=')
        .map(|i| p.span.end + i + 1)
        .unwrap_or(p.span.end);
    files.redact(p.file, value_start..line_end);
    d.help = Some(
        "scopectl never reads secrets from its config: name an environment variable or a file instead (e.g. `client_secret_env`, `client_secret_file`); remove the value and rotate the secret, it may already be in git history".into(),
    );
    d
}

/// RFC 6749 §3.3: a scope token is one or more of `%x21 / %x23-5B / %x5D-7E` (printable
/// ASCII except space, `"` and `\`). Anything else cannot travel in a `scope` parameter.
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

fn check_scope_token(file: FileId, name: &Sp<String>, out: &mut Vec<Finding>) {
    if !is_scope_token(name) {
        out.push(
            Finding::error(
                Rule::LoadInvalidValue,
                format!("`{}` is not a valid scope string", crate::text::clean(name)),
            )
            .at(file, name.span(), "not an RFC 6749 scope token")
            .help("scopes are printable ASCII without spaces, `\"` or `\\` (RFC 6749 §3.3)"),
        );
    }
}

/// Check a scope's `claims`: safe text, no claim twice, each table consistent with its
/// source ([`claims::problems`]).
fn check_claims(file: FileId, def: &ScopeDef, out: &mut Vec<Finding>) {
    let mut seen: Vec<&str> = Vec::new();
    for c in &def.claims {
        match c.get() {
            claims::ClaimDecl::Name(n) => check_text_at(file, n, c.span(), out),
            claims::ClaimDecl::Table(t) => {
                for text in std::iter::once(&t.name)
                    .chain(t.attribute.iter())
                    .chain(t.property.iter())
                    .chain(t.value.iter())
                    .chain(t.client.iter())
                {
                    check_text(file, text, out);
                }
            }
        }
        if c.name().trim().is_empty() {
            out.push(
                Finding::error(Rule::LoadInvalidValue, "a claim name is empty").at(
                    file,
                    c.span(),
                    "empty claim name",
                ),
            );
        }
        if seen.contains(&c.name()) {
            out.push(
                Finding::error(
                    Rule::LoadInvalidValue,
                    format!(
                        "claim `{}` is listed twice in one scope",
                        crate::text::clean(c.name())
                    ),
                )
                .at(file, c.span(), "listed again here")
                .help(
                    "keep one entry per claim; a table's `tokens` lists every token it goes into",
                ),
            );
        }
        seen.push(c.name());
        for (span, msg) in claims::problems(c) {
            out.push(
                Finding::error(
                    Rule::LoadInvalidValue,
                    crate::text::clean(&msg).into_owned(),
                )
                .at(file, span, "claim")
                .help("see README, \"Claims\": each source has its own key"),
            );
        }
    }
}

/// `text` with its `\r\n` line breaks as `\n`, so that a file checked out with CRLF
/// line endings (`core.autocrlf`) reads as the same file with LF: TOML keeps a multi-line
/// string's line breaks in its value as written, and a `\r` would otherwise be refused
/// as a control character ([`check_text`]), and make values, outputs and diffs differ
/// between two checkouts of one commit. A lone `\r` (one not right before `\n`, or one
/// of several before it: `\r\r\n`) is left as written, so it is refused as before.
/// Every registry TOML file is read through this; borrowed when there is nothing to change.
pub fn normalize_line_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\r\n") {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (i, _) in text.match_indices("\r\n") {
        // `\r\r\n`: the first `\r` is a lone one; keep the run as it is.
        if i > 0 && bytes.get(i - 1) == Some(&b'\r') {
            continue;
        }
        // `\r` and `\n` are ASCII: `i` and `i + 1` are character boundaries.
        out.push_str(text.get(from..i).unwrap_or_default());
        from = i + 1;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    std::borrow::Cow::Owned(out)
}

/// Reject terminal control characters and bidi overrides in any text value: they can
/// rewrite a reviewer's terminal or hide what a value says (newlines and tabs are fine).
fn check_text(file: FileId, text: &Sp<String>, out: &mut Vec<Finding>) {
    check_text_at(file, text, text.span(), out)
}

fn check_text_at(file: FileId, text: &str, span: Range<usize>, out: &mut Vec<Finding>) {
    if crate::text::has_unsafe_char(text) {
        out.push(
            Finding::error(
                Rule::LoadInvalidValue,
                format!(
                    "`{}` contains a control character or a bidirectional override",
                    crate::text::clean(text)
                ),
            )
            .at(file, span.clone(), "unsafe character")
            .help("remove it: such characters can rewrite a terminal or hide what the text says"),
        );
    }
}

/// Reject invisible formatting characters (Unicode category Cf: zero-width space,
/// joiners, word joiner, BOM, ...) in identity fields: `alice\u{200B}@example.com` looks
/// like `alice@example.com` but would not compare equal to it, defeating the
/// self-approval check.
fn check_identity(file: FileId, key: &str, text: &Sp<String>, out: &mut Vec<Finding>) {
    check_identity_at(file, key, text, text.span(), out)
}

fn check_identity_at(
    file: FileId,
    key: &str,
    text: &str,
    span: Range<usize>,
    out: &mut Vec<Finding>,
) {
    check_invisible(
        file,
        key,
        text,
        span,
        "remove it: identities are compared exactly, and an invisible character makes \
         two identities that look the same differ (self-approval would not be caught)",
        out,
    )
}

/// A value for a message, its invisible characters shown (`fleet-ops<U+200B>`) and
/// terminal controls escaped.
fn shown(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let visible: String = text
        .chars()
        .map(|c| {
            if crate::text::is_format_char(c) && !crate::text::is_unsafe_char(c) {
                format!("<U+{:04X}>", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    crate::text::clean(&visible).into_owned()
}

/// What a client id with an invisible character is told.
const CLIENT_ID_HELP: &str = "remove it: a client id with an invisible character looks like \
    another client's (or a server's client) in every review and output, but is not the same id";

/// Reject invisible formatting characters (Unicode category Cf, see
/// [`check_identity`]) in a value compared by what it looks like: identities, client ids.
fn check_invisible(
    file: FileId,
    key: &str,
    text: &str,
    span: Range<usize>,
    help: &str,
    out: &mut Vec<Finding>,
) {
    // Every invisible character is outside ASCII.
    if text.is_ascii() {
        return;
    }
    let Some((pos, c)) = text
        .chars()
        .enumerate()
        // Bidi controls are already refused by `check_text`.
        .find(|(_, c)| crate::text::is_format_char(*c) && !crate::text::is_unsafe_char(*c))
    else {
        return;
    };
    out.push(
        Finding::error(
            Rule::LoadInvalidValue,
            format!(
                "`{key}` contains the invisible character U+{:04X} at character {} of `{}`",
                c as u32,
                pos + 1,
                crate::text::clean(&text.replace(c, &format!("<U+{:04X}>", c as u32)))
            ),
        )
        .at(file, span, "invisible character")
        .help(help),
    );
}

fn parse_all(files: &Files, work: &[(FileId, FileKind)]) -> Vec<(Parsed, Vec<Finding>)> {
    // Few files are parsed on this thread, without asking how many CPUs there are (that
    // reads cgroup files: a one-token `decode` feels it).
    let threads = if work.len() < 64 {
        1
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    };
    if threads <= 1 {
        return work
            .iter()
            .map(|(id, kind)| parse_one(files, *id, *kind))
            .collect();
    }
    let chunk = work.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = work
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(id, kind)| parse_one(files, *id, *kind))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(work.len());
        for (h, part) in handles.into_iter().zip(work.chunks(chunk)) {
            match h.join() {
                Ok(v) => out.extend(v),
                // A panic in a parser thread is a bug; report it per file, not as a crash.
                Err(_) => out.extend(part.iter().map(|(id, _)| {
                    (
                        Parsed::Failed,
                        vec![
                            Finding::error(Rule::LoadInternal, "internal error while parsing")
                                .in_file(*id),
                        ],
                    )
                })),
            }
        }
        out
    })
}

fn parse_one(files: &Files, id: FileId, kind: FileKind) -> (Parsed, Vec<Finding>) {
    let text = files.text(id);
    let result = match kind {
        FileKind::Policy => toml::from_str::<PolicyFile>(text).map(|p| Parsed::Policy(Box::new(p))),
        FileKind::Scopes => toml::from_str::<ScopeFile>(text).map(Parsed::Scopes),
        FileKind::Client => toml::from_str::<ClientFile>(text).map(|c| Parsed::Client(Box::new(c))),
        FileKind::Teams => toml::from_str::<TeamsFile>(text).map(Parsed::Teams),
        FileKind::Review => toml::from_str::<ReviewFile>(text).map(|r| Parsed::Review(Box::new(r))),
        FileKind::Apis => toml::from_str::<apis::ApisFile>(text).map(Parsed::Apis),
    };
    match result {
        Ok(p) => (p, Vec::new()),
        Err(e) => (Parsed::Failed, vec![toml_error(files, id, kind, &e)]),
    }
}

/// Turn a toml error into a diagnostic with a code that says what kind of problem it is.
/// Folders below the registry root that hold a `scopectl.toml` of their own
/// (`scopes/scopectl.toml` when `scopectl lint` runs one level above a registry).
fn nested_roots(files: &Files, to_parse: &[(FileId, FileKind)]) -> HashSet<String> {
    to_parse
        .iter()
        .filter_map(|(id, _)| files.name(*id).strip_suffix(&format!("/{POLICY_FILE}")))
        .map(str::to_string)
        .collect()
}

/// A load error in a file under a nested registry root: the likely cause is the folder
/// given, so the help says which folder to give instead.
fn point_at_nested_root(files: &Files, nested: &HashSet<String>, mut d: Finding) -> Finding {
    if nested.is_empty() {
        return d;
    }
    let Some(id) = d.primary.as_ref().map(|l| l.file) else {
        return d;
    };
    let name = files.name(id);
    let root = name
        .match_indices('/')
        .map(|(i, _)| &name[..i])
        .find(|dir| nested.contains(*dir));
    if let Some(root) = root {
        let root = crate::text::clean(root);
        d.help = Some(format!(
            "{root}/ looks like a registry of its own (it holds {root}/{POLICY_FILE}): run scopectl on that folder (`scopectl lint {root}`, or `--registry {root}`)"
        ));
    }
    d
}

/// The name of the campaign `reviews/NAME.toml` holds (its path relative to the registry
/// folder): `2026-q4`, or `2026/q4` for `reviews/2026/q4.toml`.
pub fn review_name(path: &str) -> String {
    path.trim_start_matches("reviews/")
        .trim_end_matches(".toml")
        .to_string()
}

fn toml_error(files: &Files, id: FileId, kind: FileKind, e: &toml::de::Error) -> Finding {
    let message = e.message().trim().to_string();
    let lower = message.to_lowercase();
    let code = if lower.starts_with("unknown field") {
        Rule::LoadUnknownKey
    } else if lower.starts_with("missing field") {
        Rule::LoadMissingKey
    } else if lower.contains("duplicate key") || lower.contains("duplicate table") {
        Rule::LoadDuplicateKey
    } else if lower.starts_with("invalid value") {
        Rule::LoadInvalidValue
    } else if lower.starts_with("invalid type") {
        Rule::LoadWrongType
    } else if lower.contains("date") {
        Rule::LoadInvalidDate
    } else if lower.starts_with("unknown variant") || lower.contains("duration") {
        Rule::LoadInvalidValue
    } else {
        Rule::LoadSyntax
    };
    let mut d = Finding::error(code, message);
    let span = e.span().unwrap_or(0..0);
    let span = if span.is_empty() {
        span.start..(span.start + 1).min(files.text(id).len().max(span.start))
    } else {
        span
    };
    d = d.at(id, span, label_for(code));
    if let Some(help) = help_for(kind, &lower) {
        d = d.help(help);
    }
    d
}

fn label_for(code: Rule) -> &'static str {
    match code {
        Rule::LoadUnknownKey => "unknown key",
        Rule::LoadMissingKey => "in this table",
        Rule::LoadDuplicateKey => "defined again here",
        Rule::LoadWrongType => "wrong type",
        Rule::LoadInvalidDate => "invalid date",
        Rule::LoadInvalidValue => "invalid value",
        _ => "here",
    }
}

fn help_for(kind: FileKind, lower: &str) -> Option<String> {
    let (expected, schema) = match kind {
        FileKind::Policy => (
            "scopectl.toml holds [policy], [rules] and [targets.NAME]",
            "policy",
        ),
        FileKind::Scopes => (
            "scope files hold [scopes.\"resource:action\"] tables",
            "scope",
        ),
        FileKind::Client => (
            "client files hold one [client] table and [[grants]] entries",
            "client",
        ),
        FileKind::Teams => (
            "team files hold [teams.NAME] tables with `members` and an optional `handle`",
            "teams",
        ),
        FileKind::Review => (
            "review files hold one [review] table and [[entries]], one per grant under review",
            "review",
        ),
        FileKind::Apis => (
            "API files hold [apis.NAME] tables with `audience`, `owner`, `openapi` or `operations`",
            "apis",
        ),
    };
    if lower.starts_with("unknown field `client`") || lower.starts_with("unknown field `grants`") {
        return Some("client files belong under clients/, not scopes/".into());
    }
    if lower.starts_with("unknown field `scopes`") {
        return Some("scope definitions belong under scopes/, not clients/".into());
    }
    if let Some(close) = closest_key(lower) {
        return Some(format!(
            "did you mean `{close}`? ({expected}; `scopectl schema {schema}` prints the full format)"
        ));
    }
    if lower.starts_with("unknown field") || lower.starts_with("missing field") {
        return Some(format!(
            "{expected}; `scopectl schema {schema}` prints the full format"
        ));
    }
    None
}

/// For "unknown field `expiers`, expected one of `scope`, …, `expires`, …": the expected
/// key closest to the unknown one, if one is close.
fn closest_key(lower: &str) -> Option<String> {
    let rest = lower.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    crate::text::closest(
        unknown,
        expected.iter().copied(),
        3,
        &mut crate::text::SuggestBudget::default(),
    )
    .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_line_breaks_read_as_lf_and_a_lone_cr_stays() {
        let n = |s: &str| normalize_line_breaks(s).into_owned();
        assert!(matches!(
            normalize_line_breaks("a\nb\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(n("a\r\nb\r\n"), "a\nb\n");
        assert_eq!(
            n("x = \"\"\"\r\nö\r\nß\"\"\"\r\n"),
            "x = \"\"\"\nö\nß\"\"\"\n"
        );
        // A `\r` that is no line break is left for the parser (or `check_text`) to refuse.
        assert_eq!(n("a\rb\r\n"), "a\rb\n");
        assert_eq!(n("a\r\r\nb\r\n"), "a\r\r\nb\n");
        assert_eq!(n("\r\n\r"), "\n\r");
        assert_eq!(n("\r\r\r\n"), "\r\r\r\n");
    }
}
