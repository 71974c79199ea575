//! The APIs of the registry at the report's revision: for each, the scopes its operations
//! need and the clients that hold each scope (issue 17). OpenAPI files are read at the
//! revision; an API whose files cannot be read says so (and why) instead of listing less.

use chrono::NaiveDate;
use serde::Serialize;

use crate::registry::Registry;

/// One API.
#[derive(Debug, Clone, Serialize)]
pub struct ApiRow {
    pub name: String,
    pub audience: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Operations known (from its table, and from its OpenAPI files when they were read).
    pub operations: usize,
    /// Whether the OpenAPI files it names were read; when false, `scopes` come from its
    /// operations table only.
    pub openapi_read: bool,
    /// Why they could not be read (empty when they were).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub openapi_unread: Vec<String>,
    /// Each scope an operation needs, with the clients holding an unexpired grant of it.
    pub scopes: Vec<ApiScope>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiScope {
    pub scope: String,
    pub clients: Vec<String>,
}

/// The APIs, by name, as of `today` (expired grants do not count as holding a scope).
pub fn rows(reg: &Registry, today: NaiveDate) -> Vec<ApiRow> {
    reg.apis
        .values()
        .map(|api| ApiRow {
            name: api.name.clone(),
            audience: api.def.audience.get().clone(),
            owner: api.def.owner.as_ref().map(|o| o.get().clone()),
            operations: api.operations.len(),
            openapi_read: api.resolved || api.def.openapi.is_empty(),
            openapi_unread: api.unread.clone(),
            scopes: api
                .needed()
                .into_iter()
                .map(|scope| ApiScope {
                    scope: scope.to_string(),
                    clients: reg
                        .clients
                        .values()
                        .filter(|c| {
                            c.grants
                                .iter()
                                .any(|g| g.scope() == scope && !g.is_expired(today))
                        })
                        .map(|c| c.id.clone())
                        .collect(),
                })
                .collect(),
        })
        .collect()
}
