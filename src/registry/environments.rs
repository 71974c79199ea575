//! Environments: one registry, several realms. A target names its environment
//! (`[targets.NAME] environment`, default: the target's name); clients and grants may be
//! limited to environments (`environments = ["dev"]`), a client may have another
//! `client_id` in an environment (`[client.ids]`), and a scope may be left out of an
//! environment (`exclude_environments`). This module answers "does this reach that
//! environment?" for everything that pushes, lints or reports per environment.

use std::collections::{BTreeSet, HashMap};

/// client_id → (environment, registry client id) for every `[client.ids]` entry.
pub type ClientIds = HashMap<String, Vec<(String, String)>>;

use super::files::{ClientDef, GrantDef, ScopeDef};
use super::policy::Target;
use super::{Client, Grant, Registry, Sp};

impl Target {
    /// The environment this target is: `environment`, or the target's name.
    pub fn environment_or<'a>(&'a self, name: &'a str) -> &'a str {
        self.environment
            .as_ref()
            .map(|e| e.as_str())
            .unwrap_or(name)
    }
}

fn listed(list: &Option<Vec<Sp<String>>>, environment: &str) -> bool {
    list.as_ref()
        .is_none_or(|l| l.iter().any(|e| e.as_str() == environment))
}

impl ClientDef {
    /// Is the client in `environment` (no `environments`, or listed there)?
    pub fn in_environment(&self, environment: &str) -> bool {
        listed(&self.environments, environment)
    }

    /// The client's `client_id` in `environment`: its `[client.ids]` entry, or `id`.
    pub fn id_in(&self, environment: &str) -> &str {
        self.ids
            .iter()
            .find(|(e, _)| e.as_str() == environment)
            .map(|(_, id)| id.as_str())
            .unwrap_or(self.id.as_str())
    }
}

impl GrantDef {
    /// Does the grant name `environment` (or no environment at all)?
    pub fn in_environment(&self, environment: &str) -> bool {
        listed(&self.environments, environment)
    }
}

impl ScopeDef {
    /// Is the scope left out of `environment` (`exclude_environments`)?
    pub fn excluded_in(&self, environment: &str) -> bool {
        self.exclude_environments
            .iter()
            .any(|e| e.as_str() == environment)
    }
}

impl Registry {
    /// The environments the registry's targets are (each target's `environment`, or its
    /// name), sorted.
    pub fn environments(&self) -> BTreeSet<String> {
        self.policy_file
            .iter()
            .flat_map(|(_, pf)| pf.targets.iter())
            .map(|(name, t)| t.environment_or(name.as_str()).to_string())
            .collect()
    }

    /// Does the scope exist in `environment` (defined and not excluded there)?
    pub fn scope_in(&self, scope: &str, environment: &str) -> bool {
        self.scopes
            .get(scope)
            .is_some_and(|s| !s.def.excluded_in(environment))
    }

    /// Does `grant` of `client` reach `environment`: the client is there, the grant names
    /// it (or nothing), and its scope is not excluded there? A grant of an undefined scope
    /// reaches where its client and grant say (a push then reports the scope).
    pub fn grant_reaches(&self, client: &Client, grant: &Grant, environment: &str) -> bool {
        client.def.in_environment(environment)
            && grant.def.in_environment(environment)
            && self
                .scopes
                .get(grant.scope())
                .is_none_or(|s| !s.def.excluded_in(environment))
    }

    /// The registry client a token's `azp` / `client_id` names, and the environment whose
    /// `[client.ids]` entry it is (`None` when it is the client's registry `id`, or when
    /// several environments use it). With `environment` known (`decode --target`), only a
    /// client in that environment whose client_id there is `client_id`. A client_id that
    /// `[client.ids]` gives to different clients in different environments names none.
    pub fn client_for_token<'a>(
        &'a self,
        client_id: &str,
        environment: Option<&'a str>,
    ) -> Option<(&'a Client, Option<&'a str>)> {
        // The common case (the registry id, no environment) needs no index.
        if environment.is_none() {
            if let Some(c) = self.clients.get(client_id) {
                return Some((c, None));
            }
        }
        let index = self.client_ids.get_or_init(|| {
            let mut index = ClientIds::new();
            for c in self.clients.values() {
                for (env, id) in &c.def.ids {
                    index
                        .entry(id.get().clone())
                        .or_default()
                        .push((env.get().clone(), c.id.clone()));
                }
            }
            index
        });
        let hits = index.get(client_id).map(Vec::as_slice).unwrap_or_default();
        if let Some(env) = environment {
            let by_id = self
                .clients
                .get(client_id)
                .filter(|c| c.def.id_in(env) == client_id);
            let by_ids = hits
                .iter()
                .find(|(e, _)| e == env)
                .and_then(|(_, id)| self.clients.get(id));
            return by_id
                .or(by_ids)
                .filter(|c| c.def.in_environment(env))
                .map(|c| (c, Some(env)));
        }
        let (first_env, first) = hits.first()?;
        if hits.iter().any(|(_, id)| id != first) {
            return None;
        }
        let env = (hits.len() == 1).then_some(first_env.as_str());
        self.clients.get(first).map(|c| (c, env))
    }

    /// The environment of the target `name` (its `environment`, or its name); `None` when
    /// the registry has no such target. `decode --target NAME` judges a token there.
    pub fn target_environment<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        let (_, file) = self.policy_file.as_ref()?;
        let (_, t) = file.targets.iter().find(|(n, _)| n.as_str() == name)?;
        Some(t.environment_or(name))
    }

    /// Is `environment` one of the targets' environments? An error naming them if not.
    pub fn check_environment(&self, environment: &str) -> anyhow::Result<()> {
        let known = self.environments();
        if known.contains(environment) {
            return Ok(());
        }
        let list: Vec<&str> = known.iter().map(String::as_str).collect();
        anyhow::bail!(
            "no target is environment `{}` (the targets' environments: {})",
            crate::text::clean(environment),
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            }
        )
    }

    /// The registry as one environment sees it: only the clients in `environment`, each
    /// with only the grants reaching it, only the access-review entries about it
    /// ([`Registry::review_entry_in`]; a campaign left without entries is left out), and
    /// the policy of that environment (`[policy.environments]`). Scopes stay as they are
    /// (an excluded scope's grants are left out, so nothing reaches it): a deprecated
    /// scope's `replaced_by`, an API's operations and every other reference to an excluded
    /// scope still resolve. What counts or lists scopes for the environment leaves the
    /// excluded ones out itself ([`Registry::scope_in`]). A grant's `occurrence` in the
    /// view can differ from the registry's: [`Registry::occurrence_in`] maps one to the
    /// other.
    pub fn in_environment(&self, environment: &str) -> Registry {
        let mut policy = self.policy.for_environment(environment).clone();
        // The view is one environment: no other environment's policy applies in it.
        policy.environments = Default::default();
        let mut view = Registry {
            files: self.files.clone(),
            policy,
            policy_file: self.policy_file.clone(),
            scopes: self.scopes.clone(),
            clients: Default::default(),
            people: self.people.clone(),
            reviews: self.reviews.clone(),
            apis: self.apis.clone(),
            client_ids: Default::default(),
        };
        for (id, c) in &self.clients {
            if !c.def.in_environment(environment) {
                continue;
            }
            let mut c2 = Client {
                id: c.id.clone(),
                file: c.file,
                def: c.def.clone(),
                span: c.span.clone(),
                grants: Vec::new(),
            };
            c2.grants = c
                .grants
                .iter()
                .filter(|g| self.grant_reaches(c, g, environment))
                .cloned()
                .collect();
            view.clients.insert(id.clone(), c2);
        }
        view.reviews.retain(|_, r| {
            let all = r.def.entries.len();
            r.def
                .entries
                .retain(|e| self.review_entry_in(&e.client, &e.scope, environment));
            all == 0 || !r.def.entries.is_empty()
        });
        view
    }

    /// Is an access-review entry about `client`'s grant of `scope` about `environment`?
    /// Not when the client is not in it, the scope is excluded there, or the client still
    /// holds the scope only in grants that do not reach it. An entry whose client or grant
    /// is gone is kept when nothing says otherwise (the registry no longer records where
    /// the removed grant reached).
    pub fn review_entry_in(&self, client: &str, scope: &str, environment: &str) -> bool {
        if self
            .scopes
            .get(scope)
            .is_some_and(|s| s.def.excluded_in(environment))
        {
            return false;
        }
        let Some(c) = self.clients.get(client) else {
            return true;
        };
        if !c.def.in_environment(environment) {
            return false;
        }
        let mut held = c.grants.iter().filter(|g| g.scope() == scope).peekable();
        held.peek().is_none() || held.any(|g| self.grant_reaches(c, g, environment))
    }

    /// The `occurrence` that `client`'s grant of `scope` numbered `occurrence` in the
    /// registry has in [`Registry::in_environment`]`(environment)` (which leaves out the
    /// grants not reaching it), or `None` when that grant does not reach `environment` (or
    /// does not exist).
    pub fn occurrence_in(
        &self,
        client: &str,
        scope: &str,
        occurrence: usize,
        environment: &str,
    ) -> Option<usize> {
        let c = self.clients.get(client)?;
        if !c.def.in_environment(environment) {
            return None;
        }
        let mut in_view = 0;
        for (n, g) in c.grants.iter().filter(|g| g.scope() == scope).enumerate() {
            let reaches = self.grant_reaches(c, g, environment);
            if n == occurrence {
                return reaches.then_some(in_view);
            }
            if reaches {
                in_view += 1;
            }
        }
        None
    }

    /// The inverse of [`occurrence_in`](Self::occurrence_in): the `occurrence` in the
    /// registry of `client`'s grant of `scope` numbered `in_view` in the view of
    /// `environment`, or `None` when the view has no such grant.
    pub fn occurrence_from(
        &self,
        client: &str,
        scope: &str,
        in_view: usize,
        environment: &str,
    ) -> Option<usize> {
        let c = self.clients.get(client)?;
        if !c.def.in_environment(environment) {
            return None;
        }
        c.grants
            .iter()
            .filter(|g| g.scope() == scope)
            .enumerate()
            .filter(|(_, g)| self.grant_reaches(c, g, environment))
            .nth(in_view)
            .map(|(n, _)| n)
    }

    /// The grant a finding's subject names (`occurrence`: 0 for the first grant of
    /// `scope` in the client).
    pub fn grant_of(&self, client: &str, scope: &str, occurrence: usize) -> Option<&Grant> {
        self.clients
            .get(client)?
            .grants
            .iter()
            .filter(|g| g.scope() == scope)
            .nth(occurrence)
    }
}
