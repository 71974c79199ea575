//! The rule catalog: every id a finding can carry (`load/*`, the lint rules `scope/*`,
//! `grant/*`, `client/*`, `review/*`, `usage/*`, `diff/*`, `input/*` and `token/*` of `decode`, `key/*` of `keys`, the plan errors
//! `push/*`), with its default level, whether `[rules]` in `scopectl.toml` may change it,
//! a one-line summary and its anchor in docs/rules.md.
//!
//! Ids are a typed enum, so a misspelt id is a compile error, never a silently dropped
//! finding. A leaf module: it depends on nothing else in the crate.

use serde::{Deserialize, Serialize};

/// The level a rule is set to in `scopectl.toml` (`[rules]`): the vocabulary of cargo-deny
/// and clippy.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Level {
    /// The rule does not run.
    Allow,
    /// Findings are warnings: reported, exit code unaffected.
    Warn,
    /// Findings are errors: exit code 1.
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Which check a rule belongs to (the part of its id before `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Family {
    /// Loading the registry's files (never configurable).
    Load,
    /// Lint rules on scope definitions.
    Scope,
    /// Lint rules on grants.
    Grant,
    /// Lint rules on clients.
    Client,
    /// Lint rules on access-review campaigns (`reviews/*.toml`).
    Review,
    /// Usage evidence (`lint --usage`, `report --usage`): grants and scopes against what
    /// the server actually issued.
    Usage,
    /// Lint rules on APIs (`apis/*.toml` and their OpenAPI files) against the scopes.
    Api,
    /// Accepted-risk exceptions (`[[exceptions]]` of `scopectl.toml`).
    Exception,
    /// `diff` / `report` findings about the history.
    Diff,
    /// `decode`: the input is not a decodable JWS.
    Input,
    /// `decode`: findings on a token.
    Token,
    /// `keys` (and `decode --target`): the signing keys an authorization server publishes.
    Key,
    /// `plan` / `apply` / `drift`: what cannot be pushed.
    Push,
}

/// What the catalog says about one rule.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    pub family: Family,
    /// The level when `[rules]` does not set one.
    pub level: Level,
    /// Whether `[rules]` may set its level (load problems, genuineness of a token, diff
    /// and plan findings may not).
    pub configurable: bool,
    pub summary: &'static str,
}

/// Where the per-rule reference lives (SARIF `helpUri`, `--list-rules --format json`).
pub const DOCS_URL: &str = "https://github.com/scopectl/scopectl/blob/main/docs/rules.md";

macro_rules! catalog {
    ($($variant:ident = $id:literal, $family:ident, $level:ident, $configurable:literal, $summary:literal;)*) => {
        /// A rule id. Serialised as its string id (`grant/expired`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(#[doc = $summary] $variant,)*
        }

        /// Every rule, in catalog order (families grouped, as documented).
        pub const ALL: &[Rule] = &[$(Rule::$variant,)*];

        const INFO: &[RuleInfo] = &[$(RuleInfo {
            id: $id,
            family: Family::$family,
            level: Level::$level,
            configurable: $configurable,
            summary: $summary,
        },)*];
    };
}

catalog! {
    LoadSyntax = "load/syntax", Load, Deny, false, "The file is not valid TOML.";
    LoadUnknownKey = "load/unknown-key", Load, Deny, false, "A key the file format does not know (a misspelt key must not silently drop a value).";
    LoadMissingKey = "load/missing-key", Load, Deny, false, "A required key is missing.";
    LoadWrongType = "load/wrong-type", Load, Deny, false, "A value has the wrong type (a string where a date is expected, ...).";
    LoadDuplicateKey = "load/duplicate-key", Load, Deny, false, "A key or table is written twice.";
    LoadInvalidDate = "load/invalid-date", Load, Deny, false, "A date is not a valid TOML local date (quoted, with a time, or impossible such as 2026-02-30).";
    LoadInvalidValue = "load/invalid-value", Load, Deny, false, "A value is outside what the key accepts (an unknown sensitivity, a bad duration, a control character, ...).";
    LoadDuplicateScope = "load/duplicate-scope", Load, Deny, false, "The same scope is defined in two places.";
    LoadDuplicateClient = "load/duplicate-client", Load, Deny, false, "The same client id is defined in two files (ids are compared as identities: NFKC and case, so look-alikes count as the same).";
    LoadNotUtf8 = "load/not-utf8", Load, Deny, false, "The file is not UTF-8 text.";
    LoadUnreadable = "load/unreadable", Load, Deny, false, "The file cannot be read, or is not a regular file inside the registry (symlink out, FIFO, device, over 16 MiB).";
    LoadUnknownRule = "load/unknown-rule", Load, Deny, false, "`[rules]` names an id that is not a lint or token rule.";
    LoadRuleNotConfigurable = "load/rule-not-configurable", Load, Warn, true, "`[rules]` sets a rule whose level is fixed (configurable: no, such as `token/expired`) to another level: the setting has no effect, the rule keeps its level (set to its own level, it changes nothing and is not reported).";
    LoadIgnoredFile = "load/ignored-file", Load, Warn, false, "A file in the registry's folders that scopectl does not read (not `*.toml`, hidden (a name starting with `.`), or a misnamed folder or policy file).";
    LoadInternal = "load/internal", Load, Deny, false, "The loader failed on its own (a bug in scopectl: please report it).";
    ScopeNaming = "scope/naming", Scope, Deny, true, "Scope name does not match the policy's naming pattern (resource:action).";
    ScopeBroad = "scope/broad", Scope, Deny, true, "Scope is a wildcard or a broad name the policy forbids (admin, *, all, ...).";
    ScopeUnused = "scope/unused", Scope, Warn, true, "Scope is defined but no client holds a grant for it.";
    ScopeSensitiveWithoutStepUp = "scope/sensitive-without-step-up", Scope, Warn, true, "High or critical scope does not require step-up authentication.";
    ScopePiiInIdToken = "scope/pii-in-id-token", Scope, Warn, true, "Scope releases claims the policy counts as PII into ID tokens.";
    ScopeClaimSourceConflict = "scope/claim-source-conflict", Scope, Deny, true, "Two scopes release the same claim from different sources (or into different shapes): which value a token carries depends on mapper order.";
    ScopeRegisteredClaim = "scope/registered-claim", Scope, Deny, true, "A scope releases a claim named like a registered JWT or OpenID Connect claim (`iss`, `sub`, `aud`, `exp`, `scope`, `azp`, `client_id`, ...), overriding what the protocol sets.";
    ScopeUnknownReplacement = "scope/unknown-replacement", Scope, Deny, true, "`replaced_by` names a scope that is not defined.";
    ScopeUnknownEnvironment = "scope/unknown-environment", Scope, Deny, true, "`exclude_environments` names an environment that no target is.";
    GrantUndefinedScope = "grant/undefined-scope", Grant, Deny, true, "Grant of a scope that no scope file defines.";
    GrantDuplicate = "grant/duplicate", Grant, Deny, true, "Client holds the same scope in two grants.";
    GrantMissingJustification = "grant/missing-justification", Grant, Deny, true, "Grant has no justification.";
    GrantMissingApprover = "grant/missing-approver", Grant, Deny, true, "Grant has no approver (policy require_approver).";
    GrantMissingApprovalDate = "grant/missing-approval-date", Grant, Warn, true, "Grant has no approved_on date, so its lifetime cannot be checked.";
    GrantSelfApproval = "grant/self-approval", Grant, Deny, true, "Grant approved by the client's own owner, or by a member of the owner team (four-eyes principle).";
    GrantApproverUnknown = "grant/approver-unknown", Grant, Deny, true, "The approver is not a member of any declared team (when teams are declared), or is a placeholder such as `lgtm`.";
    GrantApproverNotAllowed = "grant/approver-not-allowed", Grant, Deny, true, "The approver is not in a team the policy allows to approve grants of this sensitivity.";
    GrantTooFewApprovers = "grant/too-few-approvers", Grant, Deny, true, "Fewer different, allowed approvers than the policy requires for this sensitivity.";
    GrantWeakJustification = "grant/weak-justification", Grant, Deny, true, "The justification is shorter than the policy's minimum or only placeholder words (`x`, `tbd`, `n/a`).";
    GrantMissingExpiry = "grant/missing-expiry", Grant, Deny, true, "Grant has no expiry date: standing access.";
    GrantExpired = "grant/expired", Grant, Deny, true, "Grant expired; remove it or renew it with a new approval.";
    GrantExpiring = "grant/expiring", Grant, Warn, true, "Grant expires within the policy's warning window.";
    GrantLifetime = "grant/lifetime", Grant, Deny, true, "Grant lasts longer than the policy's max_grant_lifetime or the scope's max_grant.";
    GrantExpiresBeforeApproval = "grant/expires-before-approval", Grant, Deny, true, "Grant expires before it was approved.";
    GrantApprovedInFuture = "grant/approved-in-future", Grant, Warn, true, "Grant's approval date is in the future.";
    GrantDeprecatedScope = "grant/deprecated-scope", Grant, Warn, true, "Grant of a deprecated scope.";
    GrantUnknownEnvironment = "grant/unknown-environment", Grant, Deny, true, "A grant's `environments` names an environment that no target is: the grant never reaches it.";
    GrantUnreachableEnvironment = "grant/unreachable-environment", Grant, Deny, true, "A grant is limited (by its own or its client's `environments`) to an environment it cannot reach: its client is not in it, or its scope is excluded there.";
    GrantReviewDue = "grant/review-due", Grant, Warn, true, "The grant's last approval or review is older than the policy's review_interval for its scope's sensitivity (periodic access review).";
    ClientNoOwner = "client/no-owner", Client, Warn, true, "Client has no accountable owner.";
    ClientHeaderBudget = "client/header-budget", Client, Deny, true, "Client's scopes would overflow the token header budget (HTTP 431).";
    ClientUnknownOwner = "client/unknown-owner", Client, Warn, true, "Teams are declared but the client's owner is neither a team nor a member of one, so self-approval cannot be checked.";
    ClientPiiToThirdParty = "client/pii-to-third-party", Client, Warn, true, "A client marked `third_party = true` holds a scope that releases claims the policy counts as PII into its access tokens.";
    ClientUnknownEnvironment = "client/unknown-environment", Client, Deny, true, "A client's `environments` or `[client.ids]` names an environment that no target is.";
    ClientImportDebt = "client/import-debt", Client, Deny, true, "Client holds imported grants that still lack a justification, an approver or an expiry: one counted finding, accepted until the policy's deadline (max_exception_lifetime after the import).";
    ReviewSelfReview = "review/self-review", Review, Deny, true, "An access-review decision was made by the client's owner or a member of its owner team.";
    ReviewReviewerNotAllowed = "review/reviewer-not-allowed", Review, Deny, true, "An access-review decision names no reviewer, or one who is not among the entry's reviewers (when teams are declared).";
    ReviewOverdue = "review/overdue", Review, Warn, true, "An access-review campaign is past its due date and not closed.";
    ReviewDecisionDate = "review/decision-date", Review, Deny, true, "An access-review decision is dated before its campaign started, after it closed, or after today.";
    UsageUnusedGrant = "usage/unused-grant", Usage, Warn, true, "A grant that no token carried in the usage window, with complete evidence (every token event type that could show it stored for the whole window).";
    UsageUnusedScope = "usage/unused-scope", Usage, Warn, true, "A scope that clients are granted but no token carried in the usage window, with complete evidence for every grant.";
    UsageOptionalNeverRequested = "usage/optional-never-requested", Usage, Warn, true, "An optional grant that its client never requested in the usage window while it obtained other tokens.";
    UsageUngrantedScope = "usage/ungranted-scope", Usage, Deny, true, "The server issued a scope to a client that the registry does not grant it (drift seen in real traffic).";
    UsageNotEvaluable = "usage/not-evaluable", Usage, Warn, true, "A grant not seen in the usage evidence whose evidence is incomplete (event type not stored, window longer than the stored events, scope kept out of the token's scope claim): not evaluable, never called unused.";
    ApiUndefinedScope = "api/undefined-scope", Api, Deny, true, "An API operation requires a scope that no scope file defines: no client can be granted it.";
    ApiDeprecatedScope = "api/deprecated-scope", Api, Warn, true, "An API operation requires a scope the registry marks deprecated.";
    ApiDescriptionMismatch = "api/description-mismatch", Api, Warn, true, "An OpenAPI file describes a scope differently from the registry (`scopectl apis export openapi NAME` writes the registry's map).";
    ApiDeadScope = "api/dead-scope", Api, Warn, true, "A scope no declared API needs (only when APIs are declared and every OpenAPI file was read).";
    ApiMissingStepUp = "api/missing-step-up", Api, Warn, true, "An operation needs a scope whose sensitivity the policy's step_up_sensitivities lists (or a step_up scope) without a step-up hint (`x-scopectl-step-up`, or the API's `step_up`).";
    ApiNoAudience = "api/no-audience", Api, Warn, true, "A client is granted a scope that no declared API needs: its tokens carry it for an audience no API has.";
    ExceptionExpired = "exception/expired", Exception, Warn, false, "An accepted-risk exception has expired: the findings it covered count again.";
    ExceptionUnused = "exception/unused", Exception, Warn, false, "An exception matches no finding: the risk it accepted is gone, remove it.";
    ExceptionInvalid = "exception/invalid", Exception, Deny, false, "An exception's approver may not accept this risk, or it lasts longer than the policy's max_exception_lifetime; it accepts nothing.";
    DiffSelfApprovedCommit = "diff/self-approved-commit", Diff, Warn, false, "A grant was added, extended or re-approved by a commit authored by its own approver (four-eyes).";
    DiffPolicyWeakened = "diff/policy-weakened", Diff, Warn, false, "A `scopectl.toml` setting that is a control got weaker (diff exits 3).";
    DiffScopeWeakened = "diff/scope-weakened", Diff, Warn, false, "A scope's control got weaker: sensitivity lowered, `step_up` or `max_grant` removed or loosened, PII claims newly released into ID tokens (diff exits 3).";
    DiffUnapprovedChange = "diff/unapproved-change", Diff, Warn, false, "A grant was extended, re-justified, made default or made to reach another environment (its own or its client's `environments`) without a new approval (`approved_by` and `approved_on` unchanged; diff exits 3).";
    DiffTargetChanged = "diff/target-changed", Diff, Warn, false, "A push target's URL, CA file or secret source (`*_env`, `*_file`) changed (diff exits 3).";
    DiffReviewRewritten = "diff/review-rewritten", Diff, Warn, false, "A closed access-review campaign's record was changed or removed: `report` reads campaigns as evidence (diff exits 3).";
    DiffUnverifiedCommit = "diff/unverified-commit", Diff, Deny, false, "Under `[policy] require_signed`, a change that gives or extends access was made in a commit whose signature is not verified against the allowed signers (diff exits 3).";
    InputEmpty = "input/empty", Input, Deny, false, "No token: the input is empty.";
    InputJwe = "input/jwe", Input, Deny, false, "An encrypted token (JWE): only its recipient can read it.";
    InputOpaque = "input/opaque", Input, Deny, false, "An opaque (reference) token: it has no claims to decode.";
    InputParts = "input/parts", Input, Deny, false, "Not three `.`-separated parts (header.payload.signature).";
    InputEmptyPart = "input/empty-part", Input, Deny, false, "A part of the token is empty.";
    InputBase64 = "input/base64", Input, Deny, false, "A part of the token is not base64url.";
    InputUtf8 = "input/utf8", Input, Deny, false, "A decoded part of the token is not UTF-8 text.";
    InputJson = "input/json", Input, Deny, false, "A decoded part of the token is not JSON.";
    InputNotObject = "input/not-object", Input, Deny, false, "A decoded part of the token is JSON but not an object.";
    InputJwsJson = "input/jws-json", Input, Deny, false, "A JWS JSON serialization that cannot be checked as a compact token (unprotected header, detached payload, no signature, a member written twice).";
    TokenAlgNone = "token/alg-none", Token, Deny, false, "The token is unsigned (`alg: none`).";
    TokenAlgMissing = "token/alg-missing", Token, Deny, false, "The header has no `alg`.";
    TokenAlgNotAllowed = "token/alg-not-allowed", Token, Deny, false, "`alg` is unknown or outside the allowlist (--alg).";
    TokenAlgConfusion = "token/alg-confusion", Token, Deny, false, "HMAC `alg` while the configured key is public (algorithm confusion).";
    TokenKeyMismatch = "token/key-mismatch", Token, Deny, false, "The key given cannot verify this algorithm (exit 2: wrong key).";
    TokenKeyUnusable = "token/key-unusable", Token, Deny, false, "The key could not be loaded or fetched (exit 2).";
    TokenUnknownKid = "token/unknown-kid", Token, Deny, false, "The token's `kid` is not in the JWKS.";
    TokenSignatureInvalid = "token/signature-invalid", Token, Deny, false, "The signature does not verify.";
    TokenSignatureMalformed = "token/signature-malformed", Token, Deny, false, "The signature cannot be one the key makes: empty, of the wrong length (truncated), or DER-encoded ECDSA instead of JOSE's raw R||S.";
    TokenWeakKey = "token/weak-key", Token, Deny, true, "The verifying key is weaker than RFC 7518 allows (RSA under 2048 bits, an HMAC secret shorter than the hash).";
    TokenUnverified = "token/unverified", Token, Warn, true, "No key was given: the signature was not checked.";
    TokenEmbeddedKey = "token/embedded-key", Token, Warn, true, "The header carries or points to its own key (jwk, jku, x5u, x5c).";
    TokenCritUnsupported = "token/crit-unsupported", Token, Deny, false, "The header marks extensions as critical (`crit`); none are supported.";
    TokenDuplicateClaim = "token/duplicate-claim", Token, Deny, false, "The header or payload has a member name more than once.";
    TokenInvalidClaim = "token/invalid-claim", Token, Deny, false, "A registered claim has the wrong JSON type.";
    TokenNoExp = "token/no-exp", Token, Deny, false, "The token has no `exp`: it never expires.";
    TokenExpired = "token/expired", Token, Deny, false, "`exp` is in the past.";
    TokenLifetime = "token/lifetime", Token, Warn, true, "`exp - iat` is longer than the policy's access_token_lifetime.";
    TokenNotYetValid = "token/not-yet-valid", Token, Deny, false, "`nbf` is in the future beyond the clock skew.";
    TokenIatFuture = "token/iat-future", Token, Deny, true, "`iat` is in the future beyond the clock skew.";
    TokenIssMissing = "token/iss-missing", Token, Warn, true, "No `iss` (an error when --iss is given).";
    TokenIssMismatch = "token/iss-mismatch", Token, Deny, false, "`iss` is not the expected issuer (--iss).";
    TokenAudMissing = "token/aud-missing", Token, Warn, true, "No `aud` (an error when --aud is given).";
    TokenAudMismatch = "token/aud-mismatch", Token, Deny, false, "`aud` does not contain the expected audience (--aud).";
    TokenOversize = "token/oversize", Token, Deny, false, "The Authorization header exceeds the policy's header_budget (HTTP 431).";
    TokenPii = "token/pii", Token, Warn, true, "The token carries claims the policy counts as PII.";
    TokenClaimOutsideContract = "token/claim-outside-contract", Token, Warn, true, "A verified token carries a claim that no scope of the token releases (`claims`) and that is not a protocol, OpenID Connect standard or Keycloak claim: a mapper releases what the registry does not declare.";
    TokenClaimType = "token/claim-type", Token, Warn, true, "A verified token carries a declared claim whose JSON type or list setting differs from what the scope declares (`json_type`, `multivalued`): a mapper gives its readers another shape.";
    TokenUnknownClient = "token/unknown-client", Token, Warn, true, "`azp`/`client_id` names no client in the registry.";
    TokenUndefinedScope = "token/undefined-scope", Token, Deny, true, "A scope the registry does not define (OpenID scopes such as `openid`, `profile`, `email` are exempt).";
    TokenDeprecatedScope = "token/deprecated-scope", Token, Warn, true, "A scope the registry marks deprecated.";
    TokenScopeNotGranted = "token/scope-not-granted", Token, Deny, true, "A scope the client holds no grant for.";
    TokenGrantExpired = "token/grant-expired", Token, Deny, true, "A scope whose grant to the client has expired.";
    TokenNeedMissing = "token/need-missing", Token, Deny, false, "The token lacks a scope the endpoint needs (--need): a resource server answers 403.";
    TokenStepUpStale = "token/step-up-stale", Token, Deny, true, "A step-up scope without a recent enough `auth_time`.";
    TokenInactive = "token/inactive", Token, Deny, false, "Token introspection (RFC 7662) answered `active: false`: the token is expired, revoked, unknown to the server, or not meant for this resource server (the server does not say which).";
    KeyTooOld = "key/too-old", Key, Warn, true, "A signing key is older than the policy's max_key_age: rotate it.";
    KeyAgeNotEvaluable = "key/age-not-evaluable", Key, Warn, true, "max_key_age is set, but a key's creation time is not known (a JWKS does not say): its age is not evaluable, never called compliant.";
    KeyWeak = "key/weak", Key, Deny, true, "A signing key is weaker than RFC 7518 allows (RSA under 2048 bits).";
    KeyAlgMix = "key/alg-mix", Key, Deny, true, "Keys invite algorithm confusion: one kid shared by keys of different types or algorithms, or a symmetric (oct) key published in a JWKS.";
    KeyMalformed = "key/malformed", Key, Deny, true, "A published key cannot be used: a member it needs is missing, not base64url, or of the wrong length for its curve (RFC 7518 §6).";
    KeyDuplicateKid = "key/duplicate-kid", Key, Warn, true, "One kid names several different keys of the same kind (a new key that kept the old one's kid): a verifier that picks the key by kid uses one of them, and tokens signed with the others fail to verify. The same key listed twice is not; keys whose material the source does not give are not compared.";
    KeyMissingUseAlg = "key/missing-use-alg", Key, Warn, true, "A published key has no `use` or no `alg`: verifiers must guess what it is for and which algorithm it accepts.";
    KeyNoActive = "key/no-active", Key, Deny, true, "No active signing key: the JWKS publishes no key that verifies signatures, or the server holds no ACTIVE signing key.";
    KeyUnpublished = "key/unpublished", Key, Deny, false, "The token was signed by a key its issuer no longer publishes (a Keycloak realm key that is disabled): resource servers reject it.";
    PushLintErrors = "push/lint-errors", Push, Deny, false, "The registry has lint errors (other than grant/expired): apply refuses unless --allow-lint-errors.";
    PushMissingClient = "push/missing-client", Push, Deny, false, "A client of the registry does not exist on the server.";
    PushBuiltinScope = "push/builtin-scope", Push, Deny, false, "A registry scope has the name of a server built-in scope, which scopectl never changes.";
    PushUnmanagedScope = "push/unmanaged-scope", Push, Deny, false, "A scope of that name exists on the server without scopectl's ownership marker; it is not taken over.";
    PushUndefinedScope = "push/undefined-scope", Push, Deny, false, "A grant of a scope the registry does not define cannot be pushed.";
    PushUnsupportedScope = "push/unsupported-scope", Push, Deny, false, "The server does not support a scope the registry grants (RFC 7592 scopes_supported).";
    PushUnregisteredClient = "push/unregistered-client", Push, Deny, false, "A registry client has no `[targets.NAME.clients]` registration to manage it by (RFC 7592).";
    PushUnlistedClient = "push/unlisted-client", Push, Deny, false, "A client without a registry file holds scopectl's scopes on the server (offboarding; RFC 7592: a configured client holding registry scopes): revoke them with revoke_unlisted.";
    PushScopeInUse = "push/scope-in-use", Push, Deny, false, "A scope --prune would delete is still used (clients without a file, realm default lists, hand-made mappers, role scope mappings): not deleted without --prune-in-use.";
    PushTooManyDeletes = "push/too-many-deletes", Push, Deny, false, "--prune would delete more scopes than --max-deletes allows in one run: none is deleted.";
    PushPruneEmptyRegistry = "push/prune-empty-registry", Push, Deny, false, "The registry defines no scopes: --prune never deletes then.";
    PushServerLimit = "push/server-limit", Push, Deny, false, "A value is longer than the server stores (Keycloak: 255 characters for a client scope's name and description).";
    PushProtocolMismatch = "push/protocol-mismatch", Push, Deny, false, "A grant links an OpenID Connect scope to a client of another protocol (SAML), which the server ignores.";
    PushRealmDefaultScope = "push/realm-default-scope", Push, Deny, false, "A registry scope is in the realm's default or optional client-scope list: every new client gets it without a grant.";
    PushUnknownBuiltin = "push/unknown-builtin", Push, Deny, false, "A client's builtin_scopes names a scope that is not a Keycloak built-in, does not exist on the server, or has another protocol than the client.";
    PushUnmanagedMapper = "push/unmanaged-mapper", Push, Deny, false, "A claim the registry declares is released on its scope by a protocol mapper scopectl did not make, differently from the declaration: the mapper is left alone and no mapper of scopectl's is made beside it.";
    PushMissingScope = "push/missing-scope", Push, Deny, false, "A registry scope marked `managed = false` (imported, not adopted) does not exist on the server; scopectl does not create it.";
}

impl Rule {
    /// Everything the catalog knows about the rule.
    pub fn info(self) -> &'static RuleInfo {
        &INFO[self as usize]
    }

    /// May an `[[exceptions]]` entry accept this rule's findings? Lint and diff findings
    /// only: a registry that does not load, a token or a push problem cannot be accepted.
    pub fn exceptable(self) -> bool {
        matches!(
            self.family(),
            Family::Scope
                | Family::Grant
                | Family::Client
                | Family::Review
                | Family::Usage
                | Family::Api
                | Family::Diff
        )
    }

    /// The stable id, `family/name`.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    pub fn family(self) -> Family {
        self.info().family
    }

    /// The default level.
    pub fn level(self) -> Level {
        self.info().level
    }

    pub fn configurable(self) -> bool {
        self.info().configurable
    }

    pub fn summary(self) -> &'static str {
        self.info().summary
    }

    /// The anchor of the rule's heading in docs/rules.md: the id with `/` as `-`.
    pub fn anchor(self) -> String {
        self.id().replace('/', "-")
    }

    /// The rule's reference: docs/rules.md#anchor.
    pub fn help_uri(self) -> String {
        format!("{DOCS_URL}#{}", self.anchor())
    }

    /// Look a rule up by its id.
    pub fn from_id(id: &str) -> Option<Rule> {
        ALL.iter().copied().find(|r| r.id() == id)
    }

    /// Every rule of one family.
    pub fn of(family: Family) -> impl Iterator<Item = Rule> {
        ALL.iter().copied().filter(move |r| r.family() == family)
    }

    /// May `[rules]` in `scopectl.toml` name it? Lint and token rules, and any configurable
    /// rule (`load/rule-not-configurable`); token rules that are not configurable are
    /// accepted there but keep their level (docs/decode.md), with that load warning.
    pub fn nameable_in_rules(self) -> bool {
        self.configurable()
            || matches!(
                self.family(),
                Family::Scope
                    | Family::Grant
                    | Family::Client
                    | Family::Review
                    | Family::Usage
                    | Family::Api
                    | Family::Token
                    | Family::Key
            )
    }

    /// The level the rule runs at: the one `overrides` (`[rules]`) sets if the rule is
    /// configurable, else the default.
    pub fn effective_level(self, overrides: &std::collections::HashMap<Rule, Level>) -> Level {
        match overrides.get(&self) {
            Some(level) if self.configurable() => *level,
            _ => self.level(),
        }
    }

    /// The id `[rules]` may name closest to a misspelt one, for "did you mean".
    pub fn closest(id: &str) -> Option<Rule> {
        let ids = ALL.iter().filter(|r| r.nameable_in_rules()).map(|r| r.id());
        let close = crate::text::closest(id, ids, 4, &mut crate::text::SuggestBudget::default())?;
        Rule::from_id(close)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        Rule::from_id(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule id `{id}`")))
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

/// The Markdown of docs/rules.md, generated from the catalog (a test fails when the
/// checked-in file is stale): one heading with an anchor per rule.
pub fn reference_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Rule reference\n\n\
         <!-- Generated from src/rules.rs: `SCOPECTL_UPDATE_GENERATED=1 cargo test --test generated`. -->\n\n\
         Every finding scopectl reports carries one of these ids. `configurable` rules can be set\n\
         to `allow`, `warn` or `deny` in `[rules]` of `scopectl.toml`; the others keep their\n\
         level. `scopectl lint --list-rules` (lint rules) and `scopectl decode --list-rules`\n\
         (token rules) print the effective levels for a registry.\n",
    );
    let families = [
        (
            Family::Load,
            "Loading the registry (`lint`, and every command that reads a registry)",
        ),
        (Family::Scope, "Lint: scopes"),
        (Family::Grant, "Lint: grants"),
        (Family::Client, "Lint: clients"),
        (Family::Review, "Lint: access-review campaigns"),
        (Family::Api, "Lint: APIs and their OpenAPI files"),
        (
            Family::Usage,
            "Usage evidence: `lint --usage`, `report --usage`",
        ),
        (
            Family::Exception,
            "Exceptions (accepted risks): `lint`, `diff`, `report`",
        ),
        (Family::Diff, "History: `diff`, `report`"),
        (Family::Input, "Decode: the input"),
        (Family::Token, "Decode: the token"),
        (Family::Key, "Signing keys: `keys`, and `decode --target`"),
        (Family::Push, "Push: `plan`, `apply`, `drift`"),
    ];
    for (family, title) in families {
        let _ = write!(out, "\n## {title}\n");
        for r in Rule::of(family) {
            let _ = write!(
                out,
                "\n<a id=\"{}\"></a>\n### `{}`\n\n{}\n\n- default level: `{}`\n- configurable: {}\n",
                r.anchor(),
                r.id(),
                r.summary(),
                r.level().as_str(),
                if r.configurable() { "yes" } else { "no" }
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_in_their_family() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL {
            let id = r.id();
            assert!(seen.insert(id), "duplicate rule id {id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'),
                "{id} is not kebab-case"
            );
            let family: &str = r.family().into();
            assert_eq!(id.split('/').next(), Some(family), "{id}");
            assert!(r.summary().ends_with('.'), "{id} summary");
            assert_eq!(Rule::from_id(id), Some(*r));
        }
    }

    #[test]
    fn only_lint_and_token_rules_are_configurable() {
        for r in ALL {
            // The one load rule `[rules]` may set: its own warning about `[rules]`.
            if r.configurable() && *r != Rule::LoadRuleNotConfigurable {
                assert!(
                    matches!(
                        r.family(),
                        Family::Scope
                            | Family::Grant
                            | Family::Client
                            | Family::Review
                            | Family::Usage
                            | Family::Api
                            | Family::Token
                            | Family::Key
                    ),
                    "{r}"
                );
            }
        }
    }

    #[test]
    fn closest_suggests_near_misses() {
        assert_eq!(Rule::closest("grant/expird"), Some(Rule::GrantExpired));
        assert_eq!(Rule::closest("nothing-like-it"), None);
    }

    #[test]
    fn serialises_as_its_id() {
        let json = serde_json::to_string(&Rule::GrantExpired).expect("json");
        assert_eq!(json, "\"grant/expired\"");
        let back: Rule = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, Rule::GrantExpired);
        assert!(serde_json::from_str::<Rule>("\"grant/nope\"").is_err());
    }
}
