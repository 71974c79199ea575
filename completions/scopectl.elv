
use builtin;
use str;

set edit:completion:arg-completer[scopectl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'scopectl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'scopectl'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Lay out a new registry (policy, a scope file, a client file, pre-commit hook)'
            cand import 'Write a registry from an existing authorization server (Keycloak realm or export)'
            cand lint 'Check the registry against the lint rules'
            cand diff 'Semantic diff of the registry between two git revisions (A..B), with provenance'
            cand log 'The history of one scope, client, API or review campaign: every change with who, when, why'
            cand report 'Access-review evidence at a revision, mapped to ISO 27001:2022 Annex A, NIST CSF 2.0 or SOC 2 controls'
            cand decode 'Decode a token, verify its signature and check it against the registry'
            cand plan 'Show the changes that would make a target server match the registry'
            cand apply 'Make a target server match the registry (exactly the planned changes)'
            cand drift 'Check whether a target server still matches the registry (exit 1 when it differs)'
            cand grant 'Grant a scope to a client: a new [[grants]] entry, checked against the policy'
            cand renew 'Renew a client''s grant: a new approval and expiry'
            cand revoke 'Revoke a client''s grant of a scope, with the reason'
            cand scope 'Define a scope, or deprecate one'
            cand client 'Add a client file'
            cand review 'Access-review campaigns: start, decide, close (reviews/NAME.toml)'
            cand usage 'Usage evidence: which grants tokens actually carried (`usage collect`)'
            cand expiring 'List the grants that expire within a window (or have expired), grouped by owner'
            cand keys 'List an authorization server''s signing keys and check their rotation and soundness'
            cand codeowners 'Print (or check, or write) the CODEOWNERS block that makes each file''s owner team review it'
            cand apis 'The registry''s APIs: export the OpenAPI scopes map of one, or check a spec against it'
            cand schema 'Print the JSON Schema of a registry file kind'
            cand completions 'Print shell completions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;init'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --force 'Overwrite registry files and the hook that already exist (an existing .pre-commit-config.yaml is never replaced: the hook is appended to it)'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;import'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
            cand keycloak 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;import;keycloak'= {
            cand --from-export 'A realm export (admin console Partial export with clients, or `kc.sh export`)'
            cand --target 'The `[targets.NAME]` of scopectl.toml to read (`view-clients` is enough)'
            cand --realm 'The realm to import when the export holds several'
            cand --registry 'The registry whose scopectl.toml names the target (default: .)'
            cand --out 'Where to write the registry (default: the --registry folder). Refused when it already holds scope or client files'
            cand --owner 'The owner written on every scope and client until the real one is set'
            cand --sensitivity 'The sensitivity written on every scope (low, medium, high, critical)'
            cand --today 'The import date written on each grant (YYYY-MM-DD; default today, UTC)'
            cand --format 'Output format'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --include-built-ins 'Also import Keycloak''s built-in clients, and record each client''s built-in scopes as `builtin_scopes`'
            cand --adopt 'Write `adopt = true` on the imported scopes, so the next `apply` marks them as scopectl''s (and `apply --prune` may later delete them); without it they are `managed = false` and their definitions are never changed'
            cand --update 'Add to the existing registry what appeared on the server since (new scopes, clients and assignments, as debt); hand-written lines and comments are kept'
            cand --dry-run 'With --update: print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;import;help'= {
            cand keycloak 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;import;help;keycloak'= {
        }
        &'scopectl;import;help;help'= {
        }
        &'scopectl;lint'= {
            cand --registry 'The registry root, as the other commands take it (same as PATH)'
            cand --format 'Output format'
            cand --today 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC)'
            cand --path-prefix 'Path of the registry relative to the root of its git repository, prefixed to file names in SARIF and GitHub output (default: found from the repository; PATH as given outside one)'
            cand --changed-since 'Report only findings about scopes, clients and grants changed since this revision (a pull request''s base: `origin/main`); findings without a subject are kept'
            cand --usage 'Also judge every grant against this usage snapshot (`scopectl usage collect`): usage/* findings (unused, not evaluable with the reason, issued without a grant)'
            cand --usage-window 'With --usage: judge only the last part of the snapshot''s window (e.g. 90d)'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --list-rules 'List the rules with their ids, default levels and explanations, then exit'
            cand --staged 'Lint what is staged in the git index (what `git commit` records), not the work tree; grant/expired and grant/expiring are reported only for clients and scopes the index changes against HEAD. What the pre-commit hooks run'
            cand --deny-warnings 'Exit 1 on warnings too, not only on errors (a stricter CI gate)'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;diff'= {
            cand --env 'The promotion view instead of a history diff: what environment FROM has that TO has not (scopes, clients, grants), in the registry''s files (`--registry`)'
            cand --today 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC): grants (--env, and the clients an API change affects) and side A''s exceptions'
            cand --registry 'The registry folder in a work tree, or a (bare) repository. Default: the current directory'
            cand --subdir 'The registry''s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)'
            cand --allowed-signers 'Verify SSH commit signatures against this allowed-signers file (git''s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)'
            cand --format 'Output format'
            cand --fail-on 'Exit 3 when any of these is present (a comma list)'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --worktree 'Compare a revision (default HEAD) with the uncommitted files of the work tree'
            cand --require-full-history 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;log'= {
            cand --at 'Read history up to this revision (`--rev` is an alias)'
            cand --registry 'The registry folder in a work tree, or a (bare) repository. Default: the current directory'
            cand --subdir 'The registry''s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)'
            cand --allowed-signers 'Verify SSH commit signatures against this allowed-signers file (git''s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)'
            cand --format 'Output format'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --require-full-history 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;report'= {
            cand --at 'The revision to report on (`--rev` is an alias)'
            cand --registry 'The registry folder in a work tree, or a (bare) repository. Default: the current directory'
            cand --subdir 'The registry''s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)'
            cand --allowed-signers 'Verify SSH commit signatures against this allowed-signers file (git''s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)'
            cand --format 'Output format'
            cand --today 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC)'
            cand --env 'Report on one environment (a target''s `environment`, or its name): only the clients and grants reaching it, linted under its `[policy.environments]` policy'
            cand --framework 'The frameworks to map the evidence to, in this order (repeat the option or separate with commas); mapping tables in docs/frameworks.md'
            cand --usage 'Usage evidence: a snapshot of `scopectl usage collect` (last use per grant, the usage chart, NIST CSF DE.CM-03)'
            cand --usage-window 'With --usage: judge only the last part of the snapshot''s window (e.g. 90d)'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --require-full-history 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable'
            cand --no-history 'Read only the snapshot at REV: skip the history walk that checks whether a commit''s author approved the grant it added (four-eyes)'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;decode'= {
            cand --batch 'Decode one token (or header line) per line of FILE (`-` for stdin); print one JSON line each'
            cand --format 'Output format (--batch always writes JSON lines)'
            cand --key 'Verify with a PEM public key (RSA, EC P-256/P-384, Ed25519)'
            cand --secret-file 'Verify HMAC (HS*) with the secret in FILE (one trailing newline is ignored). Can be given with --key, --jwks or --discover: each token uses the keys of its kind'
            cand --secret-env 'Verify HMAC (HS*) with the secret in environment variable VAR'
            cand --need 'The 403 question: does the token carry SCOPE, which the endpoint needs, and is the client granted it in the registry? Repeatable (all are needed); exit 1 when the token lacks one'
            cand --endpoint 'The 403 question at an operation of the registry''s APIs: would the token be accepted at "METHOD /path" (the API''s audience, the scopes of the operation''s security requirement, step-up)? Concrete paths match templates (`/payments/{id}`); exit 1 when it would not'
            cand --api 'The API of --endpoint (default: the one API with a matching operation)'
            cand --jwks 'Verify with a JWKS from a file or an https:// URL'
            cand --timeout 'Timeout for each HTTP request of --jwks URL and --discover'
            cand --alg 'Accept only these algorithms (comma-separated; default: RS*, PS*, ES256/384, EdDSA, HS* with a secret)'
            cand --iss 'The expected issuer (`iss`)'
            cand --aud 'An accepted audience (`aud` must contain one of them); repeatable'
            cand --now 'Evaluate times as of this instant (RFC 3339 or unix seconds) instead of now'
            cand --registry 'The registry root (default: the current directory, if it is a registry)'
            cand --today 'Evaluate the registry''s grant expiry as of this date (YYYY-MM-DD), like lint and plan do (default: the date of --now, else today, UTC)'
            cand --introspect 'Ask the authorization server about the token (RFC 7662 token introspection at URL, as a resource server: --client-id with --client-secret-env or --client-secret-file); works for opaque tokens too. Exit 1 when it is not active'
            cand --introspect-target 'Introspect at the `introspection_endpoint` of a `[targets.NAME]`''s issuer, as the target''s `introspection_client_id` (else `client_id`)'
            cand --client-id 'The introspecting client''s id (a confidential client of the authorization server)'
            cand --client-secret-env 'The environment variable holding the introspecting client''s secret (it must match `^SCOPECTL_[A-Z0-9_]+$`, as for push targets)'
            cand --client-secret-file 'A file holding the introspecting client''s secret (at most 64 KiB)'
            cand --concurrency '`--batch` with introspection: requests in flight at once (1-16)'
            cand --target 'The `[targets.NAME]` the token comes from: verify with its issuer''s keys (as --discover), and for Keycloak tell a key the realm no longer publishes (`key/unpublished`) from an unknown one'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --secret-base64 'The secret of --secret-file/--secret-env is base64 or base64url text: decode it first (what jwt-cli writes as `b64:`). An `oct` JWK or JWKS in the file is always decoded from its `k`'
            cand --discover 'Fetch the issuer''s OpenID configuration and JWKS. Needs --iss, unless a [targets.NAME] of the registry names the token''s `iss`'
            cand --insecure-http 'Allow plain-HTTP URLs for --jwks and --discover (labs and tests only)'
            cand --list-rules 'List the token findings with their ids, levels and explanations, then exit'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;plan'= {
            cand --registry 'The registry root, as the other commands take it (same as PATH)'
            cand --target 'The `[targets.NAME]` to use (default: the only one)'
            cand --today 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)'
            cand --format 'Output format'
            cand --out 'Also save the plan (JSON, no secrets) for `apply --plan`'
            cand --max-deletes 'With --prune: the most scopes one run deletes; more refuses every delete'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --prune 'Delete scopectl''s client scopes that left the registry (never built-in or unmarked ones; never from a registry with no scopes)'
            cand --prune-in-use 'With --prune: also delete scopes still in use (linked to clients without a registry file, in the realm''s default lists, carrying hand-made mappers)'
            cand --revoke-unlisted 'Unassign scopectl''s scopes from clients that have no registry file (the target''s `revoke_unlisted = true` does it on every run)'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;apply'= {
            cand --registry 'The registry root, as the other commands take it (same as PATH)'
            cand --target 'The `[targets.NAME]` to use (default: the only one)'
            cand --today 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)'
            cand --plan 'Apply this saved plan; refuses if the server or registry changed since it was made'
            cand --max-deletes 'With --prune: the most scopes one run deletes; more refuses every delete'
            cand --format 'Output format'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --prune 'Delete scopectl''s client scopes that left the registry (never built-in or unmarked ones; never from a registry with no scopes)'
            cand --prune-in-use 'With --prune: also delete scopes still in use (linked to clients without a registry file, in the realm''s default lists, carrying hand-made mappers)'
            cand --revoke-unlisted 'Unassign scopectl''s scopes from clients that have no registry file (the target''s `revoke_unlisted = true` does it on every run)'
            cand --take-over-lease 'Take over the apply lease another run holds on the server (only when that run was killed and its lease has not expired yet)'
            cand --allow-lint-errors 'Push additions even though the registry has lint errors (they are still listed; exit 1). Without it, only removals are made while lint errors remain'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;drift'= {
            cand --registry 'The registry root, as the other commands take it (same as PATH)'
            cand --target 'The `[targets.NAME]` to use (default: the only one)'
            cand --today 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)'
            cand --format 'Output format'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;grant'= {
            cand --why 'Why the client needs it (the justification); cite the ticket'
            cand --justification 'Why the client needs it (the justification); cite the ticket'
            cand --ticket 'A change or access-request ticket'
            cand --approved-by 'Who approved (repeat for several approvers)'
            cand --for 'How long from today (default: the longest the policy and the scope allow)'
            cand --expires 'The last valid day (YYYY-MM-DD)'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --optional 'Attach the scope as optional (only when requested), not default'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;renew'= {
            cand --why 'A new justification (the old one is kept without it)'
            cand --justification 'A new justification (the old one is kept without it)'
            cand --approved-by 'Who approved (repeat for several approvers)'
            cand --for 'How long from today (default: the longest the policy and the scope allow)'
            cand --expires 'The last valid day (YYYY-MM-DD)'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;revoke'= {
            cand --why 'Why the access is removed (goes into the suggested commit message)'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --log 'Also record the removed grant and the reason in revoked/<client file>'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;scope'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Define a new scope in scopes/<resource>.toml (or --file)'
            cand deprecate 'Mark a scope deprecated, naming the scope that replaces it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;scope;add'= {
            cand --description 'What the scope allows, in one sentence'
            cand --owner 'The accountable owner (a team)'
            cand --sensitivity 'sensitivity'
            cand --max-grant 'The longest a grant may last (tighter than the policy)'
            cand --claim 'A claim the scope releases (repeatable)'
            cand --file 'The scope file under scopes/ (default: the resource part of the name)'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --step-up 'The scope needs fresh authentication'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;scope;deprecate'= {
            cand --replaced-by 'The scope that replaces it (must be defined)'
            cand --why 'Why (goes into the suggested commit message)'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;scope;help'= {
            cand add 'Define a new scope in scopes/<resource>.toml (or --file)'
            cand deprecate 'Mark a scope deprecated, naming the scope that replaces it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;scope;help;add'= {
        }
        &'scopectl;scope;help;deprecate'= {
        }
        &'scopectl;scope;help;help'= {
        }
        &'scopectl;client'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add clients/<ID>.toml with its owner and no grants'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;client;add'= {
            cand --owner 'The accountable owner (a team)'
            cand --description 'description'
            cand --file 'The file name under clients/ (default: the id)'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;client;help'= {
            cand add 'Add clients/<ID>.toml with its owner and no grants'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;client;help;add'= {
        }
        &'scopectl;client;help;help'= {
        }
        &'scopectl;review'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
            cand start 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date'
            cand decide 'Record a reviewer''s decision on one grant: keep (optionally renewed) or revoke'
            cand close 'Apply the decisions to clients/ (undecided entries take --default) and close the review'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;review;start'= {
            cand --where 'Which grants: conditions joined by `,`, e.g. "sensitivity>=high,scope=payments:*"'
            cand --owner 'Only grants whose scope or client this team owns'
            cand --usage 'A usage snapshot (`scopectl usage collect`): each entry gets `usage` and `last_used`, so reviewers see whether the grant is used'
            cand --usage-window 'With --usage: judge only the last DURATION of the snapshot (e.g. 90d)'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;review;decide'= {
            cand --by 'Who decides (an e-mail address): a member of the entry''s reviewers'
            cand --for 'With keep: renew for this long from today (capped by the policy)'
            cand --expires 'With keep: renew until this day'
            cand --note 'The reviewer''s note'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;review;close'= {
            cand --default 'What undecided entries get'
            cand --registry 'The registry root (the folder with scopectl.toml, scopes/ and clients/)'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --dry-run 'Print the diff that would be written, and write nothing'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;review;help'= {
            cand start 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date'
            cand decide 'Record a reviewer''s decision on one grant: keep (optionally renewed) or revoke'
            cand close 'Apply the decisions to clients/ (undecided entries take --default) and close the review'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;review;help;start'= {
        }
        &'scopectl;review;help;decide'= {
        }
        &'scopectl;review;help;close'= {
        }
        &'scopectl;review;help;help'= {
        }
        &'scopectl;usage'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
            cand collect 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target''s events, an events file or token samples'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;usage;collect'= {
            cand --target 'Read the token events of this Keycloak target (`[targets.NAME]` in the registry''s scopectl.toml; needs only the `view-events` role)'
            cand --from-events 'Read a file of Keycloak event JSON (one event per line, or a JSON array)'
            cand --from-tokens 'Read token samples: one token per line, or `scopectl decode --batch` output'
            cand --stored-types 'With --from-events: the token event types the file holds every one of for the window (e.g. CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN); without it the file shows use, never absence'
            cand --registry 'The registry whose scopectl.toml names the target'
            cand --out 'The snapshot file to write'
            cand --window 'The window: this long up to now (or up to --until)'
            cand --since 'The window''s start instead (RFC 3339 time, or YYYY-MM-DD for midnight UTC)'
            cand --until 'The window''s end (default: now)'
            cand --format 'Output format of the summary'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --merge 'Merge into the snapshot already at --out (a scheduled job accumulates; a target is read from after the newest event the file holds from it)'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;usage;help'= {
            cand collect 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target''s events, an events file or token samples'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;usage;help;collect'= {
        }
        &'scopectl;usage;help;help'= {
        }
        &'scopectl;expiring'= {
            cand --registry 'The registry root, as the other commands take it (same as PATH)'
            cand --within 'The window: grants expiring on or before today plus this are listed ("30d", "8w")'
            cand --today 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC)'
            cand --format 'Output format'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;keys'= {
            cand --target 'The `[targets.NAME]` of the registry''s scopectl.toml (Keycloak: the realm''s keys through the admin API, which needs `view-realm`; RFC 7592: its JWKS)'
            cand --jwks 'A JWKS file or an https:// URL'
            cand --discover 'The issuer whose OpenID configuration names the JWKS (`jwks_uri`)'
            cand --registry 'The registry (its policy''s `max_key_age` and `[rules]`, its targets; default: the current directory)'
            cand --format 'Output format'
            cand --timeout 'Timeout for each HTTP request of --jwks and --discover'
            cand --now 'Evaluate ages as of this instant (RFC 3339 or unix seconds) instead of now'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --insecure-http 'Allow plain-HTTP URLs for --jwks and --discover to hosts that are not loopback'
            cand --deny-warnings 'Warnings fail the run too (exit 1)'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;codeowners'= {
            cand --registry 'The registry root, as the other commands take it (same as PATH)'
            cand --path-prefix 'Path of the registry relative to the root of its git repository, prefixed to the patterns (default: found from the repository)'
            cand --check 'Compare the scopectl block of this CODEOWNERS file with a fresh one: exit 1 and show the difference when it is stale or missing'
            cand --write 'Replace the scopectl block of this CODEOWNERS file (or append one), keeping every other line'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand --strict 'Exit 1 when an owner has no code-host handle (its files then have no code owner)'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;apis'= {
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
            cand export 'Write what an API''s description should say, from the registry'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;apis;export'= {
            cand --check 'Compare the scopes map of every OAuth flow of this OpenAPI file with the registry''s instead of writing it'
            cand --format 'Output format (default: json; human with --check)'
            cand --registry 'The registry root'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'scopectl;apis;help'= {
            cand export 'Write what an API''s description should say, from the registry'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;apis;help;export'= {
        }
        &'scopectl;apis;help;help'= {
        }
        &'scopectl;schema'= {
            cand --out 'Write all schemas into this directory instead of printing one'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;completions'= {
            cand --out 'Write completions for every shell into this directory instead of printing one'
            cand --color 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never'
            cand -q 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand --quiet 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'scopectl;help'= {
            cand init 'Lay out a new registry (policy, a scope file, a client file, pre-commit hook)'
            cand import 'Write a registry from an existing authorization server (Keycloak realm or export)'
            cand lint 'Check the registry against the lint rules'
            cand diff 'Semantic diff of the registry between two git revisions (A..B), with provenance'
            cand log 'The history of one scope, client, API or review campaign: every change with who, when, why'
            cand report 'Access-review evidence at a revision, mapped to ISO 27001:2022 Annex A, NIST CSF 2.0 or SOC 2 controls'
            cand decode 'Decode a token, verify its signature and check it against the registry'
            cand plan 'Show the changes that would make a target server match the registry'
            cand apply 'Make a target server match the registry (exactly the planned changes)'
            cand drift 'Check whether a target server still matches the registry (exit 1 when it differs)'
            cand grant 'Grant a scope to a client: a new [[grants]] entry, checked against the policy'
            cand renew 'Renew a client''s grant: a new approval and expiry'
            cand revoke 'Revoke a client''s grant of a scope, with the reason'
            cand scope 'Define a scope, or deprecate one'
            cand client 'Add a client file'
            cand review 'Access-review campaigns: start, decide, close (reviews/NAME.toml)'
            cand usage 'Usage evidence: which grants tokens actually carried (`usage collect`)'
            cand expiring 'List the grants that expire within a window (or have expired), grouped by owner'
            cand keys 'List an authorization server''s signing keys and check their rotation and soundness'
            cand codeowners 'Print (or check, or write) the CODEOWNERS block that makes each file''s owner team review it'
            cand apis 'The registry''s APIs: export the OpenAPI scopes map of one, or check a spec against it'
            cand schema 'Print the JSON Schema of a registry file kind'
            cand completions 'Print shell completions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'scopectl;help;init'= {
        }
        &'scopectl;help;import'= {
            cand keycloak 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file'
        }
        &'scopectl;help;import;keycloak'= {
        }
        &'scopectl;help;lint'= {
        }
        &'scopectl;help;diff'= {
        }
        &'scopectl;help;log'= {
        }
        &'scopectl;help;report'= {
        }
        &'scopectl;help;decode'= {
        }
        &'scopectl;help;plan'= {
        }
        &'scopectl;help;apply'= {
        }
        &'scopectl;help;drift'= {
        }
        &'scopectl;help;grant'= {
        }
        &'scopectl;help;renew'= {
        }
        &'scopectl;help;revoke'= {
        }
        &'scopectl;help;scope'= {
            cand add 'Define a new scope in scopes/<resource>.toml (or --file)'
            cand deprecate 'Mark a scope deprecated, naming the scope that replaces it'
        }
        &'scopectl;help;scope;add'= {
        }
        &'scopectl;help;scope;deprecate'= {
        }
        &'scopectl;help;client'= {
            cand add 'Add clients/<ID>.toml with its owner and no grants'
        }
        &'scopectl;help;client;add'= {
        }
        &'scopectl;help;review'= {
            cand start 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date'
            cand decide 'Record a reviewer''s decision on one grant: keep (optionally renewed) or revoke'
            cand close 'Apply the decisions to clients/ (undecided entries take --default) and close the review'
        }
        &'scopectl;help;review;start'= {
        }
        &'scopectl;help;review;decide'= {
        }
        &'scopectl;help;review;close'= {
        }
        &'scopectl;help;usage'= {
            cand collect 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target''s events, an events file or token samples'
        }
        &'scopectl;help;usage;collect'= {
        }
        &'scopectl;help;expiring'= {
        }
        &'scopectl;help;keys'= {
        }
        &'scopectl;help;codeowners'= {
        }
        &'scopectl;help;apis'= {
            cand export 'Write what an API''s description should say, from the registry'
        }
        &'scopectl;help;apis;export'= {
        }
        &'scopectl;help;schema'= {
        }
        &'scopectl;help;completions'= {
        }
        &'scopectl;help;help'= {
        }
    ]
    $completions[$command]
}
