//! Reading a realm's keys through the admin API, for `scopectl keys` and `decode --target`
//! (kept apart from the push code of [`super`]): `GET /admin/realms/{realm}/keys` (every
//! key with its provider, status, priority, public key and certificate) and, when the
//! account may, the key-provider components (which provider made each key). Reads only.

use anyhow::bail;

use super::Keycloak;
use crate::net::{pct, Answer, Body};

/// What the admin API says about a realm's keys.
#[derive(Debug, Clone)]
pub struct RealmKeys {
    /// The issuer: `{url}/realms/{realm}`.
    pub issuer: String,
    /// `GET /keys` as Keycloak answers it: `{"active": {alg: kid}, "keys": [...]}`.
    pub keys: serde_json::Value,
    /// `GET /components?type=org.keycloak.keys.KeyProvider`, or why it could not be read.
    pub components: Result<serde_json::Value, String>,
}

impl Keycloak {
    /// The realm's issuer URL, `{url}/realms/{realm}`.
    pub fn issuer(&self) -> String {
        format!("{}/realms/{}", self.base, pct(&self.realm))
    }

    /// Read the realm's keys (needs the `view-realm` role of `realm-management`, or a
    /// master-realm admin) and their key providers.
    pub fn read_keys(&mut self) -> anyhow::Result<RealmKeys> {
        let url = self.admin("/keys");
        let resp = self.call("GET", &url, &Body::None, Answer::AdminList)?;
        if resp.status == 403 {
            bail!(
                "target `{}`: 403 Forbidden on GET {url}: the account lacks the `view-realm` role of the `realm-management` client in realm `{}` (reading keys needs it; it grants no write)",
                self.name,
                self.realm
            );
        }
        if !resp.ok() {
            return Err(self.status_error("GET", &url, &resp));
        }
        let keys = resp.json()?;
        let url = self.admin("/components?type=org.keycloak.keys.KeyProvider");
        let components = match self.call("GET", &url, &Body::None, Answer::AdminList) {
            Ok(r) if r.ok() => r.json().map_err(|e| e.to_string()),
            Ok(r) => Err(format!("{} on GET {url}", r.status)),
            Err(e) => Err(format!("{e:#}")),
        };
        Ok(RealmKeys {
            issuer: self.issuer(),
            keys,
            components,
        })
    }
}
