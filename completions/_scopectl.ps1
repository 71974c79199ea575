
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'scopectl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'scopectl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'scopectl' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Lay out a new registry (policy, a scope file, a client file, pre-commit hook)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Write a registry from an existing authorization server (Keycloak realm or export)')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check the registry against the lint rules')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Semantic diff of the registry between two git revisions (A..B), with provenance')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'The history of one scope, client, API or review campaign: every change with who, when, why')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Access-review evidence at a revision, mapped to ISO 27001:2022 Annex A, NIST CSF 2.0 or SOC 2 controls')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode a token, verify its signature and check it against the registry')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show the changes that would make a target server match the registry')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make a target server match the registry (exactly the planned changes)')
            [CompletionResult]::new('drift', 'drift', [CompletionResultType]::ParameterValue, 'Check whether a target server still matches the registry (exit 1 when it differs)')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Grant a scope to a client: a new [[grants]] entry, checked against the policy')
            [CompletionResult]::new('renew', 'renew', [CompletionResultType]::ParameterValue, 'Renew a client''s grant: a new approval and expiry')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a client''s grant of a scope, with the reason')
            [CompletionResult]::new('scope', 'scope', [CompletionResultType]::ParameterValue, 'Define a scope, or deprecate one')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'Add a client file')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Access-review campaigns: start, decide, close (reviews/NAME.toml)')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Usage evidence: which grants tokens actually carried (`usage collect`)')
            [CompletionResult]::new('expiring', 'expiring', [CompletionResultType]::ParameterValue, 'List the grants that expire within a window (or have expired), grouped by owner')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'List an authorization server''s signing keys and check their rotation and soundness')
            [CompletionResult]::new('codeowners', 'codeowners', [CompletionResultType]::ParameterValue, 'Print (or check, or write) the CODEOWNERS block that makes each file''s owner team review it')
            [CompletionResult]::new('apis', 'apis', [CompletionResultType]::ParameterValue, 'The registry''s APIs: export the OpenAPI scopes map of one, or check a spec against it')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of a registry file kind')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;init' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite registry files and the hook that already exist (an existing .pre-commit-config.yaml is never replaced: the hook is appended to it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;import' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('keycloak', 'keycloak', [CompletionResultType]::ParameterValue, 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;import;keycloak' {
            [CompletionResult]::new('--from-export', '--from-export', [CompletionResultType]::ParameterName, 'A realm export (admin console Partial export with clients, or `kc.sh export`)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The `[targets.NAME]` of scopectl.toml to read (`view-clients` is enough)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'The realm to import when the export holds several')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry whose scopectl.toml names the target (default: .)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the registry (default: the --registry folder). Refused when it already holds scope or client files')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'The owner written on every scope and client until the real one is set')
            [CompletionResult]::new('--sensitivity', '--sensitivity', [CompletionResultType]::ParameterName, 'The sensitivity written on every scope (low, medium, high, critical)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'The import date written on each grant (YYYY-MM-DD; default today, UTC)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--include-built-ins', '--include-built-ins', [CompletionResultType]::ParameterName, 'Also import Keycloak''s built-in clients, and record each client''s built-in scopes as `builtin_scopes`')
            [CompletionResult]::new('--adopt', '--adopt', [CompletionResultType]::ParameterName, 'Write `adopt = true` on the imported scopes, so the next `apply` marks them as scopectl''s (and `apply --prune` may later delete them); without it they are `managed = false` and their definitions are never changed')
            [CompletionResult]::new('--update', '--update', [CompletionResultType]::ParameterName, 'Add to the existing registry what appeared on the server since (new scopes, clients and assignments, as debt); hand-written lines and comments are kept')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --update: print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;import;help' {
            [CompletionResult]::new('keycloak', 'keycloak', [CompletionResultType]::ParameterValue, 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;import;help;keycloak' {
            break
        }
        'scopectl;import;help;help' {
            break
        }
        'scopectl;lint' {
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root, as the other commands take it (same as PATH)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC)')
            [CompletionResult]::new('--path-prefix', '--path-prefix', [CompletionResultType]::ParameterName, 'Path of the registry relative to the root of its git repository, prefixed to file names in SARIF and GitHub output (default: found from the repository; PATH as given outside one)')
            [CompletionResult]::new('--changed-since', '--changed-since', [CompletionResultType]::ParameterName, 'Report only findings about scopes, clients and grants changed since this revision (a pull request''s base: `origin/main`); findings without a subject are kept')
            [CompletionResult]::new('--usage', '--usage', [CompletionResultType]::ParameterName, 'Also judge every grant against this usage snapshot (`scopectl usage collect`): usage/* findings (unused, not evaluable with the reason, issued without a grant)')
            [CompletionResult]::new('--usage-window', '--usage-window', [CompletionResultType]::ParameterName, 'With --usage: judge only the last part of the snapshot''s window (e.g. 90d)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--list-rules', '--list-rules', [CompletionResultType]::ParameterName, 'List the rules with their ids, default levels and explanations, then exit')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'Lint what is staged in the git index (what `git commit` records), not the work tree; grant/expired and grant/expiring are reported only for clients and scopes the index changes against HEAD. What the pre-commit hooks run')
            [CompletionResult]::new('--deny-warnings', '--deny-warnings', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too, not only on errors (a stricter CI gate)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;diff' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'The promotion view instead of a history diff: what environment FROM has that TO has not (scopes, clients, grants), in the registry''s files (`--registry`)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC): grants (--env, and the clients an API change affects) and side A''s exceptions')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry folder in a work tree, or a (bare) repository. Default: the current directory')
            [CompletionResult]::new('--subdir', '--subdir', [CompletionResultType]::ParameterName, 'The registry''s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)')
            [CompletionResult]::new('--allowed-signers', '--allowed-signers', [CompletionResultType]::ParameterName, 'Verify SSH commit signatures against this allowed-signers file (git''s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 3 when any of these is present (a comma list)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--worktree', '--worktree', [CompletionResultType]::ParameterName, 'Compare a revision (default HEAD) with the uncommitted files of the work tree')
            [CompletionResult]::new('--require-full-history', '--require-full-history', [CompletionResultType]::ParameterName, 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;log' {
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Read history up to this revision (`--rev` is an alias)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry folder in a work tree, or a (bare) repository. Default: the current directory')
            [CompletionResult]::new('--subdir', '--subdir', [CompletionResultType]::ParameterName, 'The registry''s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)')
            [CompletionResult]::new('--allowed-signers', '--allowed-signers', [CompletionResultType]::ParameterName, 'Verify SSH commit signatures against this allowed-signers file (git''s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--require-full-history', '--require-full-history', [CompletionResultType]::ParameterName, 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;report' {
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'The revision to report on (`--rev` is an alias)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry folder in a work tree, or a (bare) repository. Default: the current directory')
            [CompletionResult]::new('--subdir', '--subdir', [CompletionResultType]::ParameterName, 'The registry''s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)')
            [CompletionResult]::new('--allowed-signers', '--allowed-signers', [CompletionResultType]::ParameterName, 'Verify SSH commit signatures against this allowed-signers file (git''s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Report on one environment (a target''s `environment`, or its name): only the clients and grants reaching it, linted under its `[policy.environments]` policy')
            [CompletionResult]::new('--framework', '--framework', [CompletionResultType]::ParameterName, 'The frameworks to map the evidence to, in this order (repeat the option or separate with commas); mapping tables in docs/frameworks.md')
            [CompletionResult]::new('--usage', '--usage', [CompletionResultType]::ParameterName, 'Usage evidence: a snapshot of `scopectl usage collect` (last use per grant, the usage chart, NIST CSF DE.CM-03)')
            [CompletionResult]::new('--usage-window', '--usage-window', [CompletionResultType]::ParameterName, 'With --usage: judge only the last part of the snapshot''s window (e.g. 90d)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--require-full-history', '--require-full-history', [CompletionResultType]::ParameterName, 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable')
            [CompletionResult]::new('--no-history', '--no-history', [CompletionResultType]::ParameterName, 'Read only the snapshot at REV: skip the history walk that checks whether a commit''s author approved the grant it added (four-eyes)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;decode' {
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Decode one token (or header line) per line of FILE (`-` for stdin); print one JSON line each')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (--batch always writes JSON lines)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Verify with a PEM public key (RSA, EC P-256/P-384, Ed25519)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Verify HMAC (HS*) with the secret in FILE (one trailing newline is ignored). Can be given with --key, --jwks or --discover: each token uses the keys of its kind')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Verify HMAC (HS*) with the secret in environment variable VAR')
            [CompletionResult]::new('--need', '--need', [CompletionResultType]::ParameterName, 'The 403 question: does the token carry SCOPE, which the endpoint needs, and is the client granted it in the registry? Repeatable (all are needed); exit 1 when the token lacks one')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The 403 question at an operation of the registry''s APIs: would the token be accepted at "METHOD /path" (the API''s audience, the scopes of the operation''s security requirement, step-up)? Concrete paths match templates (`/payments/{id}`); exit 1 when it would not')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'The API of --endpoint (default: the one API with a matching operation)')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'Verify with a JWKS from a file or an https:// URL')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout for each HTTP request of --jwks URL and --discover')
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'Accept only these algorithms (comma-separated; default: RS*, PS*, ES256/384, EdDSA, HS* with a secret)')
            [CompletionResult]::new('--iss', '--iss', [CompletionResultType]::ParameterName, 'The expected issuer (`iss`)')
            [CompletionResult]::new('--aud', '--aud', [CompletionResultType]::ParameterName, 'An accepted audience (`aud` must contain one of them); repeatable')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate times as of this instant (RFC 3339 or unix seconds) instead of now')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (default: the current directory, if it is a registry)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate the registry''s grant expiry as of this date (YYYY-MM-DD), like lint and plan do (default: the date of --now, else today, UTC)')
            [CompletionResult]::new('--introspect', '--introspect', [CompletionResultType]::ParameterName, 'Ask the authorization server about the token (RFC 7662 token introspection at URL, as a resource server: --client-id with --client-secret-env or --client-secret-file); works for opaque tokens too. Exit 1 when it is not active')
            [CompletionResult]::new('--introspect-target', '--introspect-target', [CompletionResultType]::ParameterName, 'Introspect at the `introspection_endpoint` of a `[targets.NAME]`''s issuer, as the target''s `introspection_client_id` (else `client_id`)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The introspecting client''s id (a confidential client of the authorization server)')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'The environment variable holding the introspecting client''s secret (it must match `^SCOPECTL_[A-Z0-9_]+$`, as for push targets)')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'A file holding the introspecting client''s secret (at most 64 KiB)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, '`--batch` with introspection: requests in flight at once (1-16)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The `[targets.NAME]` the token comes from: verify with its issuer''s keys (as --discover), and for Keycloak tell a key the realm no longer publishes (`key/unpublished`) from an unknown one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--secret-base64', '--secret-base64', [CompletionResultType]::ParameterName, 'The secret of --secret-file/--secret-env is base64 or base64url text: decode it first (what jwt-cli writes as `b64:`). An `oct` JWK or JWKS in the file is always decoded from its `k`')
            [CompletionResult]::new('--discover', '--discover', [CompletionResultType]::ParameterName, 'Fetch the issuer''s OpenID configuration and JWKS. Needs --iss, unless a [targets.NAME] of the registry names the token''s `iss`')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow plain-HTTP URLs for --jwks and --discover (labs and tests only)')
            [CompletionResult]::new('--list-rules', '--list-rules', [CompletionResultType]::ParameterName, 'List the token findings with their ids, levels and explanations, then exit')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;plan' {
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root, as the other commands take it (same as PATH)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The `[targets.NAME]` to use (default: the only one)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Also save the plan (JSON, no secrets) for `apply --plan`')
            [CompletionResult]::new('--max-deletes', '--max-deletes', [CompletionResultType]::ParameterName, 'With --prune: the most scopes one run deletes; more refuses every delete')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete scopectl''s client scopes that left the registry (never built-in or unmarked ones; never from a registry with no scopes)')
            [CompletionResult]::new('--prune-in-use', '--prune-in-use', [CompletionResultType]::ParameterName, 'With --prune: also delete scopes still in use (linked to clients without a registry file, in the realm''s default lists, carrying hand-made mappers)')
            [CompletionResult]::new('--revoke-unlisted', '--revoke-unlisted', [CompletionResultType]::ParameterName, 'Unassign scopectl''s scopes from clients that have no registry file (the target''s `revoke_unlisted = true` does it on every run)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;apply' {
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root, as the other commands take it (same as PATH)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The `[targets.NAME]` to use (default: the only one)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)')
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'Apply this saved plan; refuses if the server or registry changed since it was made')
            [CompletionResult]::new('--max-deletes', '--max-deletes', [CompletionResultType]::ParameterName, 'With --prune: the most scopes one run deletes; more refuses every delete')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete scopectl''s client scopes that left the registry (never built-in or unmarked ones; never from a registry with no scopes)')
            [CompletionResult]::new('--prune-in-use', '--prune-in-use', [CompletionResultType]::ParameterName, 'With --prune: also delete scopes still in use (linked to clients without a registry file, in the realm''s default lists, carrying hand-made mappers)')
            [CompletionResult]::new('--revoke-unlisted', '--revoke-unlisted', [CompletionResultType]::ParameterName, 'Unassign scopectl''s scopes from clients that have no registry file (the target''s `revoke_unlisted = true` does it on every run)')
            [CompletionResult]::new('--take-over-lease', '--take-over-lease', [CompletionResultType]::ParameterName, 'Take over the apply lease another run holds on the server (only when that run was killed and its lease has not expired yet)')
            [CompletionResult]::new('--allow-lint-errors', '--allow-lint-errors', [CompletionResultType]::ParameterName, 'Push additions even though the registry has lint errors (they are still listed; exit 1). Without it, only removals are made while lint errors remain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;drift' {
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root, as the other commands take it (same as PATH)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The `[targets.NAME]` to use (default: the only one)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;grant' {
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Why the client needs it (the justification); cite the ticket')
            [CompletionResult]::new('--justification', '--justification', [CompletionResultType]::ParameterName, 'Why the client needs it (the justification); cite the ticket')
            [CompletionResult]::new('--ticket', '--ticket', [CompletionResultType]::ParameterName, 'A change or access-request ticket')
            [CompletionResult]::new('--approved-by', '--approved-by', [CompletionResultType]::ParameterName, 'Who approved (repeat for several approvers)')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long from today (default: the longest the policy and the scope allow)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'The last valid day (YYYY-MM-DD)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--optional', '--optional', [CompletionResultType]::ParameterName, 'Attach the scope as optional (only when requested), not default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;renew' {
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'A new justification (the old one is kept without it)')
            [CompletionResult]::new('--justification', '--justification', [CompletionResultType]::ParameterName, 'A new justification (the old one is kept without it)')
            [CompletionResult]::new('--approved-by', '--approved-by', [CompletionResultType]::ParameterName, 'Who approved (repeat for several approvers)')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long from today (default: the longest the policy and the scope allow)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'The last valid day (YYYY-MM-DD)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;revoke' {
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Why the access is removed (goes into the suggested commit message)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Also record the removed grant and the reason in revoked/<client file>')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;scope' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Define a new scope in scopes/<resource>.toml (or --file)')
            [CompletionResult]::new('deprecate', 'deprecate', [CompletionResultType]::ParameterValue, 'Mark a scope deprecated, naming the scope that replaces it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;scope;add' {
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the scope allows, in one sentence')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'The accountable owner (a team)')
            [CompletionResult]::new('--sensitivity', '--sensitivity', [CompletionResultType]::ParameterName, 'sensitivity')
            [CompletionResult]::new('--max-grant', '--max-grant', [CompletionResultType]::ParameterName, 'The longest a grant may last (tighter than the policy)')
            [CompletionResult]::new('--claim', '--claim', [CompletionResultType]::ParameterName, 'A claim the scope releases (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The scope file under scopes/ (default: the resource part of the name)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--step-up', '--step-up', [CompletionResultType]::ParameterName, 'The scope needs fresh authentication')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;scope;deprecate' {
            [CompletionResult]::new('--replaced-by', '--replaced-by', [CompletionResultType]::ParameterName, 'The scope that replaces it (must be defined)')
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Why (goes into the suggested commit message)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;scope;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Define a new scope in scopes/<resource>.toml (or --file)')
            [CompletionResult]::new('deprecate', 'deprecate', [CompletionResultType]::ParameterValue, 'Mark a scope deprecated, naming the scope that replaces it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;scope;help;add' {
            break
        }
        'scopectl;scope;help;deprecate' {
            break
        }
        'scopectl;scope;help;help' {
            break
        }
        'scopectl;client' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add clients/<ID>.toml with its owner and no grants')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;client;add' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'The accountable owner (a team)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'description')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The file name under clients/ (default: the id)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;client;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add clients/<ID>.toml with its owner and no grants')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;client;help;add' {
            break
        }
        'scopectl;client;help;help' {
            break
        }
        'scopectl;review' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date')
            [CompletionResult]::new('decide', 'decide', [CompletionResultType]::ParameterValue, 'Record a reviewer''s decision on one grant: keep (optionally renewed) or revoke')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Apply the decisions to clients/ (undecided entries take --default) and close the review')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;review;start' {
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Which grants: conditions joined by `,`, e.g. "sensitivity>=high,scope=payments:*"')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only grants whose scope or client this team owns')
            [CompletionResult]::new('--usage', '--usage', [CompletionResultType]::ParameterName, 'A usage snapshot (`scopectl usage collect`): each entry gets `usage` and `last_used`, so reviewers see whether the grant is used')
            [CompletionResult]::new('--usage-window', '--usage-window', [CompletionResultType]::ParameterName, 'With --usage: judge only the last DURATION of the snapshot (e.g. 90d)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;review;decide' {
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Who decides (an e-mail address): a member of the entry''s reviewers')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'With keep: renew for this long from today (capped by the policy)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'With keep: renew until this day')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'The reviewer''s note')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;review;close' {
            [CompletionResult]::new('--default', '--default', [CompletionResultType]::ParameterName, 'What undecided entries get')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root (the folder with scopectl.toml, scopes/ and clients/)')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diff that would be written, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;review;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date')
            [CompletionResult]::new('decide', 'decide', [CompletionResultType]::ParameterValue, 'Record a reviewer''s decision on one grant: keep (optionally renewed) or revoke')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Apply the decisions to clients/ (undecided entries take --default) and close the review')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;review;help;start' {
            break
        }
        'scopectl;review;help;decide' {
            break
        }
        'scopectl;review;help;close' {
            break
        }
        'scopectl;review;help;help' {
            break
        }
        'scopectl;usage' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target''s events, an events file or token samples')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;usage;collect' {
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Read the token events of this Keycloak target (`[targets.NAME]` in the registry''s scopectl.toml; needs only the `view-events` role)')
            [CompletionResult]::new('--from-events', '--from-events', [CompletionResultType]::ParameterName, 'Read a file of Keycloak event JSON (one event per line, or a JSON array)')
            [CompletionResult]::new('--from-tokens', '--from-tokens', [CompletionResultType]::ParameterName, 'Read token samples: one token per line, or `scopectl decode --batch` output')
            [CompletionResult]::new('--stored-types', '--stored-types', [CompletionResultType]::ParameterName, 'With --from-events: the token event types the file holds every one of for the window (e.g. CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN); without it the file shows use, never absence')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry whose scopectl.toml names the target')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The snapshot file to write')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'The window: this long up to now (or up to --until)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'The window''s start instead (RFC 3339 time, or YYYY-MM-DD for midnight UTC)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'The window''s end (default: now)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the summary')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--merge', '--merge', [CompletionResultType]::ParameterName, 'Merge into the snapshot already at --out (a scheduled job accumulates; a target is read from after the newest event the file holds from it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;usage;help' {
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target''s events, an events file or token samples')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;usage;help;collect' {
            break
        }
        'scopectl;usage;help;help' {
            break
        }
        'scopectl;expiring' {
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root, as the other commands take it (same as PATH)')
            [CompletionResult]::new('--within', '--within', [CompletionResultType]::ParameterName, 'The window: grants expiring on or before today plus this are listed ("30d", "8w")')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;keys' {
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The `[targets.NAME]` of the registry''s scopectl.toml (Keycloak: the realm''s keys through the admin API, which needs `view-realm`; RFC 7592: its JWKS)')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'A JWKS file or an https:// URL')
            [CompletionResult]::new('--discover', '--discover', [CompletionResultType]::ParameterName, 'The issuer whose OpenID configuration names the JWKS (`jwks_uri`)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry (its policy''s `max_key_age` and `[rules]`, its targets; default: the current directory)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout for each HTTP request of --jwks and --discover')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate ages as of this instant (RFC 3339 or unix seconds) instead of now')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow plain-HTTP URLs for --jwks and --discover to hosts that are not loopback')
            [CompletionResult]::new('--deny-warnings', '--deny-warnings', [CompletionResultType]::ParameterName, 'Warnings fail the run too (exit 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;codeowners' {
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root, as the other commands take it (same as PATH)')
            [CompletionResult]::new('--path-prefix', '--path-prefix', [CompletionResultType]::ParameterName, 'Path of the registry relative to the root of its git repository, prefixed to the patterns (default: found from the repository)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Compare the scopectl block of this CODEOWNERS file with a fresh one: exit 1 and show the difference when it is stale or missing')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Replace the scopectl block of this CODEOWNERS file (or append one), keeping every other line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 when an owner has no code-host handle (its files then have no code owner)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;apis' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write what an API''s description should say, from the registry')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;apis;export' {
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Compare the scopes map of every OAuth flow of this OpenAPI file with the registry''s instead of writing it')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: json; human with --check)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'The registry root')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'scopectl;apis;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write what an API''s description should say, from the registry')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;apis;help;export' {
            break
        }
        'scopectl;apis;help;help' {
            break
        }
        'scopectl;schema' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write all schemas into this directory instead of printing one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;completions' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write completions for every shell into this directory instead of printing one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'scopectl;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Lay out a new registry (policy, a scope file, a client file, pre-commit hook)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Write a registry from an existing authorization server (Keycloak realm or export)')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check the registry against the lint rules')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Semantic diff of the registry between two git revisions (A..B), with provenance')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'The history of one scope, client, API or review campaign: every change with who, when, why')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Access-review evidence at a revision, mapped to ISO 27001:2022 Annex A, NIST CSF 2.0 or SOC 2 controls')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode a token, verify its signature and check it against the registry')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show the changes that would make a target server match the registry')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make a target server match the registry (exactly the planned changes)')
            [CompletionResult]::new('drift', 'drift', [CompletionResultType]::ParameterValue, 'Check whether a target server still matches the registry (exit 1 when it differs)')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Grant a scope to a client: a new [[grants]] entry, checked against the policy')
            [CompletionResult]::new('renew', 'renew', [CompletionResultType]::ParameterValue, 'Renew a client''s grant: a new approval and expiry')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a client''s grant of a scope, with the reason')
            [CompletionResult]::new('scope', 'scope', [CompletionResultType]::ParameterValue, 'Define a scope, or deprecate one')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'Add a client file')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Access-review campaigns: start, decide, close (reviews/NAME.toml)')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Usage evidence: which grants tokens actually carried (`usage collect`)')
            [CompletionResult]::new('expiring', 'expiring', [CompletionResultType]::ParameterValue, 'List the grants that expire within a window (or have expired), grouped by owner')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'List an authorization server''s signing keys and check their rotation and soundness')
            [CompletionResult]::new('codeowners', 'codeowners', [CompletionResultType]::ParameterValue, 'Print (or check, or write) the CODEOWNERS block that makes each file''s owner team review it')
            [CompletionResult]::new('apis', 'apis', [CompletionResultType]::ParameterValue, 'The registry''s APIs: export the OpenAPI scopes map of one, or check a spec against it')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of a registry file kind')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopectl;help;init' {
            break
        }
        'scopectl;help;import' {
            [CompletionResult]::new('keycloak', 'keycloak', [CompletionResultType]::ParameterValue, 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file')
            break
        }
        'scopectl;help;import;keycloak' {
            break
        }
        'scopectl;help;lint' {
            break
        }
        'scopectl;help;diff' {
            break
        }
        'scopectl;help;log' {
            break
        }
        'scopectl;help;report' {
            break
        }
        'scopectl;help;decode' {
            break
        }
        'scopectl;help;plan' {
            break
        }
        'scopectl;help;apply' {
            break
        }
        'scopectl;help;drift' {
            break
        }
        'scopectl;help;grant' {
            break
        }
        'scopectl;help;renew' {
            break
        }
        'scopectl;help;revoke' {
            break
        }
        'scopectl;help;scope' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Define a new scope in scopes/<resource>.toml (or --file)')
            [CompletionResult]::new('deprecate', 'deprecate', [CompletionResultType]::ParameterValue, 'Mark a scope deprecated, naming the scope that replaces it')
            break
        }
        'scopectl;help;scope;add' {
            break
        }
        'scopectl;help;scope;deprecate' {
            break
        }
        'scopectl;help;client' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add clients/<ID>.toml with its owner and no grants')
            break
        }
        'scopectl;help;client;add' {
            break
        }
        'scopectl;help;review' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date')
            [CompletionResult]::new('decide', 'decide', [CompletionResultType]::ParameterValue, 'Record a reviewer''s decision on one grant: keep (optionally renewed) or revoke')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Apply the decisions to clients/ (undecided entries take --default) and close the review')
            break
        }
        'scopectl;help;review;start' {
            break
        }
        'scopectl;help;review;decide' {
            break
        }
        'scopectl;help;review;close' {
            break
        }
        'scopectl;help;usage' {
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target''s events, an events file or token samples')
            break
        }
        'scopectl;help;usage;collect' {
            break
        }
        'scopectl;help;expiring' {
            break
        }
        'scopectl;help;keys' {
            break
        }
        'scopectl;help;codeowners' {
            break
        }
        'scopectl;help;apis' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write what an API''s description should say, from the registry')
            break
        }
        'scopectl;help;apis;export' {
            break
        }
        'scopectl;help;schema' {
            break
        }
        'scopectl;help;completions' {
            break
        }
        'scopectl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
