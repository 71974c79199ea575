# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_scopectl_global_optspecs
    string join \n color= q/quiet h/help V/version
end

function __fish_scopectl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_scopectl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_scopectl_using_subcommand
    set -l cmd (__fish_scopectl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c scopectl -n "__fish_scopectl_needs_command" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_needs_command" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_needs_command" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_needs_command" -s V -l version -d 'Print version'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "init" -d 'Lay out a new registry (policy, a scope file, a client file, pre-commit hook)'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "import" -d 'Write a registry from an existing authorization server (Keycloak realm or export)'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "lint" -d 'Check the registry against the lint rules'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "diff" -d 'Semantic diff of the registry between two git revisions (A..B), with provenance'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "log" -d 'The history of one scope, client, API or review campaign: every change with who, when, why'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "report" -d 'Access-review evidence at a revision, mapped to ISO 27001:2022 Annex A, NIST CSF 2.0 or SOC 2 controls'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "decode" -d 'Decode a token, verify its signature and check it against the registry'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "plan" -d 'Show the changes that would make a target server match the registry'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "apply" -d 'Make a target server match the registry (exactly the planned changes)'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "drift" -d 'Check whether a target server still matches the registry (exit 1 when it differs)'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "grant" -d 'Grant a scope to a client: a new [[grants]] entry, checked against the policy'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "renew" -d 'Renew a client\'s grant: a new approval and expiry'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "revoke" -d 'Revoke a client\'s grant of a scope, with the reason'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "scope" -d 'Define a scope, or deprecate one'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "client" -d 'Add a client file'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "review" -d 'Access-review campaigns: start, decide, close (reviews/NAME.toml)'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "usage" -d 'Usage evidence: which grants tokens actually carried (`usage collect`)'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "expiring" -d 'List the grants that expire within a window (or have expired), grouped by owner'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "keys" -d 'List an authorization server\'s signing keys and check their rotation and soundness'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "codeowners" -d 'Print (or check, or write) the CODEOWNERS block that makes each file\'s owner team review it'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "apis" -d 'The registry\'s APIs: export the OpenAPI scopes map of one, or check a spec against it'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "schema" -d 'Print the JSON Schema of a registry file kind'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c scopectl -n "__fish_scopectl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand init" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand init" -l force -d 'Overwrite registry files and the hook that already exist (an existing .pre-commit-config.yaml is never replaced: the hook is appended to it)'
complete -c scopectl -n "__fish_scopectl_using_subcommand init" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand init" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and not __fish_seen_subcommand_from keycloak help" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and not __fish_seen_subcommand_from keycloak help" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and not __fish_seen_subcommand_from keycloak help" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and not __fish_seen_subcommand_from keycloak help" -f -a "keycloak" -d 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and not __fish_seen_subcommand_from keycloak help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l from-export -d 'A realm export (admin console Partial export with clients, or `kc.sh export`)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l target -d 'The `[targets.NAME]` of scopectl.toml to read (`view-clients` is enough)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l realm -d 'The realm to import when the export holds several' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l registry -d 'The registry whose scopectl.toml names the target (default: .)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l out -d 'Where to write the registry (default: the --registry folder). Refused when it already holds scope or client files' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l owner -d 'The owner written on every scope and client until the real one is set' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l sensitivity -d 'The sensitivity written on every scope (low, medium, high, critical)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l today -d 'The import date written on each grant (YYYY-MM-DD; default today, UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l format -d 'Output format' -r -f -a "human\t'What was written, for a person'
json\t'A JSON document (version 1)'"
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l include-built-ins -d 'Also import Keycloak\'s built-in clients, and record each client\'s built-in scopes as `builtin_scopes`'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l adopt -d 'Write `adopt = true` on the imported scopes, so the next `apply` marks them as scopectl\'s (and `apply --prune` may later delete them); without it they are `managed = false` and their definitions are never changed'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l update -d 'Add to the existing registry what appeared on the server since (new scopes, clients and assignments, as debt); hand-written lines and comments are kept'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -l dry-run -d 'With --update: print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from keycloak" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "keycloak" -d 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file'
complete -c scopectl -n "__fish_scopectl_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l registry -d 'The registry root, as the other commands take it (same as PATH)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l format -d 'Output format' -r -f -a "human\t'rustc-style diagnostics'
json\t'One JSON document (schema in the README)'
sarif\t'SARIF 2.1.0 for GitHub code scanning'
github\t'GitHub Actions workflow annotations'
markdown\t'A Markdown table, for a pull-request comment'"
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l today -d 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l path-prefix -d 'Path of the registry relative to the root of its git repository, prefixed to file names in SARIF and GitHub output (default: found from the repository; PATH as given outside one)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l changed-since -d 'Report only findings about scopes, clients and grants changed since this revision (a pull request\'s base: `origin/main`); findings without a subject are kept' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l usage -d 'Also judge every grant against this usage snapshot (`scopectl usage collect`): usage/* findings (unused, not evaluable with the reason, issued without a grant)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l usage-window -d 'With --usage: judge only the last part of the snapshot\'s window (e.g. 90d)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l list-rules -d 'List the rules with their ids, default levels and explanations, then exit'
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l staged -d 'Lint what is staged in the git index (what `git commit` records), not the work tree; grant/expired and grant/expiring are reported only for clients and scopes the index changes against HEAD. What the pre-commit hooks run'
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -l deny-warnings -d 'Exit 1 on warnings too, not only on errors (a stricter CI gate)'
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l env -d 'The promotion view instead of a history diff: what environment FROM has that TO has not (scopes, clients, grants), in the registry\'s files (`--registry`)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l today -d 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC): grants (--env, and the clients an API change affects) and side A\'s exceptions' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l registry -d 'The registry folder in a work tree, or a (bare) repository. Default: the current directory' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l subdir -d 'The registry\'s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l allowed-signers -d 'Verify SSH commit signatures against this allowed-signers file (git\'s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l format -d 'Output format' -r -f -a "human\t'A readable table (`table` is an alias)'
markdown\t'Markdown, for an audit record or a PR comment'
json\t'One JSON document (schema in docs/diff-report.md)'"
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l fail-on -d 'Exit 3 when any of these is present (a comma list)' -r -f -a "breaking\t'A breaking change'
weakened\t'A weakening finding: policy, push target, scope control, grant changed without a new approval'
access-added\t'A change that gives a client more access (a new grant, an extension, ...)'
findings\t'Any finding at all (four-eyes included)'
unverified\t'Access given in a commit whose signature is not verified (only under `[policy] require_signed`)'"
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l worktree -d 'Compare a revision (default HEAD) with the uncommitted files of the work tree'
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -l require-full-history -d 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable'
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -l at -d 'Read history up to this revision (`--rev` is an alias)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -l registry -d 'The registry folder in a work tree, or a (bare) repository. Default: the current directory' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -l subdir -d 'The registry\'s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -l allowed-signers -d 'Verify SSH commit signatures against this allowed-signers file (git\'s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -l format -d 'Output format' -r -f -a "human\t'A readable table (`table` is an alias)'
markdown\t'Markdown, for an audit record or a PR comment'
json\t'One JSON document (schema in docs/diff-report.md)'"
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -l require-full-history -d 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable'
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l at -d 'The revision to report on (`--rev` is an alias)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l registry -d 'The registry folder in a work tree, or a (bare) repository. Default: the current directory' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l subdir -d 'The registry\'s folder inside the repository, `/`-separated (default: worked out from --registry; the repository root in a bare repository)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l allowed-signers -d 'Verify SSH commit signatures against this allowed-signers file (git\'s gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers` names (which diff reads at the base revision, log and report at the revision)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l format -d 'Output format' -r -f -a "markdown\t''
html\t'One self-contained HTML file (no external assets)'
csv\t'One row per grant'
json\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l today -d 'Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l env -d 'Report on one environment (a target\'s `environment`, or its name): only the clients and grants reaching it, linted under its `[policy.environments]` policy' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l framework -d 'The frameworks to map the evidence to, in this order (repeat the option or separate with commas); mapping tables in docs/frameworks.md' -r -f -a "iso27001\t'ISO/IEC 27001:2022 Annex A (5.15, 5.18, 8.2, 5.3)'
nist-csf-2\t'NIST Cybersecurity Framework 2.0 (PR.AA-01, PR.AA-03, PR.AA-05, DE.CM-03)'
soc2\t'SOC 2 Trust Services Criteria (CC6.1, CC6.2, CC6.3)'"
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l usage -d 'Usage evidence: a snapshot of `scopectl usage collect` (last use per grant, the usage chart, NIST CSF DE.CM-03)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l usage-window -d 'With --usage: judge only the last part of the snapshot\'s window (e.g. 90d)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l require-full-history -d 'Exit 2 when the repository does not hold the whole history (a shallow clone, grafts, replace refs) instead of warning and marking history-based evidence as not evaluable'
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -l no-history -d 'Read only the snapshot at REV: skip the history walk that checks whether a commit\'s author approved the grant it added (four-eyes)'
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l batch -d 'Decode one token (or header line) per line of FILE (`-` for stdin); print one JSON line each' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l format -d 'Output format (--batch always writes JSON lines)' -r -f -a "human\t'Header, claims, times, scopes and findings for a person'
json\t'One JSON document (schema in docs/decode.md)'"
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l key -d 'Verify with a PEM public key (RSA, EC P-256/P-384, Ed25519)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l secret-file -d 'Verify HMAC (HS*) with the secret in FILE (one trailing newline is ignored). Can be given with --key, --jwks or --discover: each token uses the keys of its kind' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l secret-env -d 'Verify HMAC (HS*) with the secret in environment variable VAR' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l need -d 'The 403 question: does the token carry SCOPE, which the endpoint needs, and is the client granted it in the registry? Repeatable (all are needed); exit 1 when the token lacks one' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l endpoint -d 'The 403 question at an operation of the registry\'s APIs: would the token be accepted at "METHOD /path" (the API\'s audience, the scopes of the operation\'s security requirement, step-up)? Concrete paths match templates (`/payments/{id}`); exit 1 when it would not' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l api -d 'The API of --endpoint (default: the one API with a matching operation)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l jwks -d 'Verify with a JWKS from a file or an https:// URL' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l timeout -d 'Timeout for each HTTP request of --jwks URL and --discover' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l alg -d 'Accept only these algorithms (comma-separated; default: RS*, PS*, ES256/384, EdDSA, HS* with a secret)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l iss -d 'The expected issuer (`iss`)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l aud -d 'An accepted audience (`aud` must contain one of them); repeatable' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l now -d 'Evaluate times as of this instant (RFC 3339 or unix seconds) instead of now' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l registry -d 'The registry root (default: the current directory, if it is a registry)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l today -d 'Evaluate the registry\'s grant expiry as of this date (YYYY-MM-DD), like lint and plan do (default: the date of --now, else today, UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l introspect -d 'Ask the authorization server about the token (RFC 7662 token introspection at URL, as a resource server: --client-id with --client-secret-env or --client-secret-file); works for opaque tokens too. Exit 1 when it is not active' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l introspect-target -d 'Introspect at the `introspection_endpoint` of a `[targets.NAME]`\'s issuer, as the target\'s `introspection_client_id` (else `client_id`)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l client-id -d 'The introspecting client\'s id (a confidential client of the authorization server)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l client-secret-env -d 'The environment variable holding the introspecting client\'s secret (it must match `^SCOPECTL_[A-Z0-9_]+$`, as for push targets)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l client-secret-file -d 'A file holding the introspecting client\'s secret (at most 64 KiB)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l concurrency -d '`--batch` with introspection: requests in flight at once (1-16)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l target -d 'The `[targets.NAME]` the token comes from: verify with its issuer\'s keys (as --discover), and for Keycloak tell a key the realm no longer publishes (`key/unpublished`) from an unknown one' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l secret-base64 -d 'The secret of --secret-file/--secret-env is base64 or base64url text: decode it first (what jwt-cli writes as `b64:`). An `oct` JWK or JWKS in the file is always decoded from its `k`'
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l discover -d 'Fetch the issuer\'s OpenID configuration and JWKS. Needs --iss, unless a [targets.NAME] of the registry names the token\'s `iss`'
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l insecure-http -d 'Allow plain-HTTP URLs for --jwks and --discover (labs and tests only)'
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -l list-rules -d 'List the token findings with their ids, levels and explanations, then exit'
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand decode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l registry -d 'The registry root, as the other commands take it (same as PATH)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l target -d 'The `[targets.NAME]` to use (default: the only one)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l today -d 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l format -d 'Output format' -r -f -a "human\t'A table for a terminal (`table` is an alias)'
json\t'JSON: the plan document (the one `plan --out` saves; `apply` prints `{"plan": …, "report": …}`)'
markdown\t'Markdown, for a pull-request comment'"
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l out -d 'Also save the plan (JSON, no secrets) for `apply --plan`' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l max-deletes -d 'With --prune: the most scopes one run deletes; more refuses every delete' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l prune -d 'Delete scopectl\'s client scopes that left the registry (never built-in or unmarked ones; never from a registry with no scopes)'
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l prune-in-use -d 'With --prune: also delete scopes still in use (linked to clients without a registry file, in the realm\'s default lists, carrying hand-made mappers)'
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -l revoke-unlisted -d 'Unassign scopectl\'s scopes from clients that have no registry file (the target\'s `revoke_unlisted = true` does it on every run)'
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l registry -d 'The registry root, as the other commands take it (same as PATH)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l target -d 'The `[targets.NAME]` to use (default: the only one)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l today -d 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l plan -d 'Apply this saved plan; refuses if the server or registry changed since it was made' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l max-deletes -d 'With --prune: the most scopes one run deletes; more refuses every delete' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l format -d 'Output format' -r -f -a "human\t'A table for a terminal (`table` is an alias)'
json\t'JSON: `{"plan": …, "report": …}`'"
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l prune -d 'Delete scopectl\'s client scopes that left the registry (never built-in or unmarked ones; never from a registry with no scopes)'
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l prune-in-use -d 'With --prune: also delete scopes still in use (linked to clients without a registry file, in the realm\'s default lists, carrying hand-made mappers)'
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l revoke-unlisted -d 'Unassign scopectl\'s scopes from clients that have no registry file (the target\'s `revoke_unlisted = true` does it on every run)'
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l take-over-lease -d 'Take over the apply lease another run holds on the server (only when that run was killed and its lease has not expired yet)'
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -l allow-lint-errors -d 'Push additions even though the registry has lint errors (they are still listed; exit 1). Without it, only removals are made while lint errors remain'
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand drift" -l registry -d 'The registry root, as the other commands take it (same as PATH)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand drift" -l target -d 'The `[targets.NAME]` to use (default: the only one)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand drift" -l today -d 'Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand drift" -l format -d 'Output format' -r -f -a "human\t'A table for a terminal (`table` is an alias)'
json\t'JSON: the plan document (the one `plan --out` saves; `apply` prints `{"plan": …, "report": …}`)'
markdown\t'Markdown, for a pull-request comment'"
complete -c scopectl -n "__fish_scopectl_using_subcommand drift" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand drift" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand drift" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l why -l justification -d 'Why the client needs it (the justification); cite the ticket' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l ticket -d 'A change or access-request ticket' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l approved-by -d 'Who approved (repeat for several approvers)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l for -d 'How long from today (default: the longest the policy and the scope allow)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l expires -d 'The last valid day (YYYY-MM-DD)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l optional -d 'Attach the scope as optional (only when requested), not default'
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand grant" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l why -l justification -d 'A new justification (the old one is kept without it)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l approved-by -d 'Who approved (repeat for several approvers)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l for -d 'How long from today (default: the longest the policy and the scope allow)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l expires -d 'The last valid day (YYYY-MM-DD)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand renew" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -l why -d 'Why the access is removed (goes into the suggested commit message)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -l log -d 'Also record the removed grant and the reason in revoked/<client file>'
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand revoke" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and not __fish_seen_subcommand_from add deprecate help" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and not __fish_seen_subcommand_from add deprecate help" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and not __fish_seen_subcommand_from add deprecate help" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and not __fish_seen_subcommand_from add deprecate help" -f -a "add" -d 'Define a new scope in scopes/<resource>.toml (or --file)'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and not __fish_seen_subcommand_from add deprecate help" -f -a "deprecate" -d 'Mark a scope deprecated, naming the scope that replaces it'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and not __fish_seen_subcommand_from add deprecate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l description -d 'What the scope allows, in one sentence' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l owner -d 'The accountable owner (a team)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l sensitivity -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l max-grant -d 'The longest a grant may last (tighter than the policy)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l claim -d 'A claim the scope releases (repeatable)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l file -d 'The scope file under scopes/ (default: the resource part of the name)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l step-up -d 'The scope needs fresh authentication'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -l replaced-by -d 'The scope that replaces it (must be defined)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -l why -d 'Why (goes into the suggested commit message)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from deprecate" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "add" -d 'Define a new scope in scopes/<resource>.toml (or --file)'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "deprecate" -d 'Mark a scope deprecated, naming the scope that replaces it'
complete -c scopectl -n "__fish_scopectl_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and not __fish_seen_subcommand_from add help" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and not __fish_seen_subcommand_from add help" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and not __fish_seen_subcommand_from add help" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and not __fish_seen_subcommand_from add help" -f -a "add" -d 'Add clients/<ID>.toml with its owner and no grants'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and not __fish_seen_subcommand_from add help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -l owner -d 'The accountable owner (a team)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -l description -r
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -l file -d 'The file name under clients/ (default: the id)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add clients/<ID>.toml with its owner and no grants'
complete -c scopectl -n "__fish_scopectl_using_subcommand client; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and not __fish_seen_subcommand_from start decide close help" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and not __fish_seen_subcommand_from start decide close help" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and not __fish_seen_subcommand_from start decide close help" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and not __fish_seen_subcommand_from start decide close help" -f -a "start" -d 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and not __fish_seen_subcommand_from start decide close help" -f -a "decide" -d 'Record a reviewer\'s decision on one grant: keep (optionally renewed) or revoke'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and not __fish_seen_subcommand_from start decide close help" -f -a "close" -d 'Apply the decisions to clients/ (undecided entries take --default) and close the review'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and not __fish_seen_subcommand_from start decide close help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l where -d 'Which grants: conditions joined by `,`, e.g. "sensitivity>=high,scope=payments:*"' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l owner -d 'Only grants whose scope or client this team owns' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l usage -d 'A usage snapshot (`scopectl usage collect`): each entry gets `usage` and `last_used`, so reviewers see whether the grant is used' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l usage-window -d 'With --usage: judge only the last DURATION of the snapshot (e.g. 90d)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l by -d 'Who decides (an e-mail address): a member of the entry\'s reviewers' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l for -d 'With keep: renew for this long from today (capped by the policy)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l expires -d 'With keep: renew until this day' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l note -d 'The reviewer\'s note' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from decide" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from close" -l default -d 'What undecided entries get' -r -f -a "keep\t''
revoke\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from close" -l registry -d 'The registry root (the folder with scopectl.toml, scopes/ and clients/)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from close" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from close" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from close" -l dry-run -d 'Print the diff that would be written, and write nothing'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from close" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from close" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from help" -f -a "start" -d 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from help" -f -a "decide" -d 'Record a reviewer\'s decision on one grant: keep (optionally renewed) or revoke'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from help" -f -a "close" -d 'Apply the decisions to clients/ (undecided entries take --default) and close the review'
complete -c scopectl -n "__fish_scopectl_using_subcommand review; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and not __fish_seen_subcommand_from collect help" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and not __fish_seen_subcommand_from collect help" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and not __fish_seen_subcommand_from collect help" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and not __fish_seen_subcommand_from collect help" -f -a "collect" -d 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target\'s events, an events file or token samples'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and not __fish_seen_subcommand_from collect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l target -d 'Read the token events of this Keycloak target (`[targets.NAME]` in the registry\'s scopectl.toml; needs only the `view-events` role)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l from-events -d 'Read a file of Keycloak event JSON (one event per line, or a JSON array)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l from-tokens -d 'Read token samples: one token per line, or `scopectl decode --batch` output' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l stored-types -d 'With --from-events: the token event types the file holds every one of for the window (e.g. CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN); without it the file shows use, never absence' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l registry -d 'The registry whose scopectl.toml names the target' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l out -d 'The snapshot file to write' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l window -d 'The window: this long up to now (or up to --until)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l since -d 'The window\'s start instead (RFC 3339 time, or YYYY-MM-DD for midnight UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l until -d 'The window\'s end (default: now)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l format -d 'Output format of the summary' -r -f -a "human\t'What was written, for a person'
json\t'A JSON document (version 1)'"
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -l merge -d 'Merge into the snapshot already at --out (a scheduled job accumulates; a target is read from after the newest event the file holds from it)'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from collect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "collect" -d 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target\'s events, an events file or token samples'
complete -c scopectl -n "__fish_scopectl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand expiring" -l registry -d 'The registry root, as the other commands take it (same as PATH)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand expiring" -l within -d 'The window: grants expiring on or before today plus this are listed ("30d", "8w")' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand expiring" -l today -d 'Evaluate as of this date (YYYY-MM-DD) instead of today (UTC)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand expiring" -l format -d 'Output format' -r -f -a "human\t'Tables for a terminal'
markdown\t'Markdown, for an issue or a chat message'
json\t'One JSON document'"
complete -c scopectl -n "__fish_scopectl_using_subcommand expiring" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand expiring" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand expiring" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l target -d 'The `[targets.NAME]` of the registry\'s scopectl.toml (Keycloak: the realm\'s keys through the admin API, which needs `view-realm`; RFC 7592: its JWKS)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l jwks -d 'A JWKS file or an https:// URL' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l discover -d 'The issuer whose OpenID configuration names the JWKS (`jwks_uri`)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l registry -d 'The registry (its policy\'s `max_key_age` and `[rules]`, its targets; default: the current directory)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l format -d 'Output format' -r -f -a "human\t'A table of the keys, then the findings'
json\t'One JSON document (schema in the README, "Signing keys")'"
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l timeout -d 'Timeout for each HTTP request of --jwks and --discover' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l now -d 'Evaluate ages as of this instant (RFC 3339 or unix seconds) instead of now' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l insecure-http -d 'Allow plain-HTTP URLs for --jwks and --discover to hosts that are not loopback'
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -l deny-warnings -d 'Warnings fail the run too (exit 1)'
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand keys" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -l registry -d 'The registry root, as the other commands take it (same as PATH)' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -l path-prefix -d 'Path of the registry relative to the root of its git repository, prefixed to the patterns (default: found from the repository)' -r
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -l check -d 'Compare the scopectl block of this CODEOWNERS file with a fresh one: exit 1 and show the difference when it is stale or missing' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -l write -d 'Replace the scopectl block of this CODEOWNERS file (or append one), keeping every other line' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -l strict -d 'Exit 1 when an owner has no code-host handle (its files then have no code owner)'
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand codeowners" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and not __fish_seen_subcommand_from export help" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and not __fish_seen_subcommand_from export help" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and not __fish_seen_subcommand_from export help" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and not __fish_seen_subcommand_from export help" -f -a "export" -d 'Write what an API\'s description should say, from the registry'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and not __fish_seen_subcommand_from export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from export" -l check -d 'Compare the scopes map of every OAuth flow of this OpenAPI file with the registry\'s instead of writing it' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from export" -l format -d 'Output format (default: json; human with --check)' -r -f -a "json\t''
yaml\t''
human\t'--check only: one line per difference'"
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from export" -l registry -d 'The registry root' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from export" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from export" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write what an API\'s description should say, from the registry'
complete -c scopectl -n "__fish_scopectl_using_subcommand apis; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand schema" -l out -d 'Write all schemas into this directory instead of printing one' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand schema" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand schema" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand schema" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand completions" -l out -d 'Write completions for every shell into this directory instead of printing one' -r -F
complete -c scopectl -n "__fish_scopectl_using_subcommand completions" -l color -d 'When to colour output: auto (a terminal, and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c scopectl -n "__fish_scopectl_using_subcommand completions" -s q -l quiet -d 'No notes or warnings on stderr; `lint` (human) shows only the findings that fail the run, and nothing when it passes. Errors are always printed'
complete -c scopectl -n "__fish_scopectl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "init" -d 'Lay out a new registry (policy, a scope file, a client file, pre-commit hook)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "import" -d 'Write a registry from an existing authorization server (Keycloak realm or export)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "lint" -d 'Check the registry against the lint rules'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "diff" -d 'Semantic diff of the registry between two git revisions (A..B), with provenance'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "log" -d 'The history of one scope, client, API or review campaign: every change with who, when, why'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "report" -d 'Access-review evidence at a revision, mapped to ISO 27001:2022 Annex A, NIST CSF 2.0 or SOC 2 controls'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "decode" -d 'Decode a token, verify its signature and check it against the registry'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "plan" -d 'Show the changes that would make a target server match the registry'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "apply" -d 'Make a target server match the registry (exactly the planned changes)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "drift" -d 'Check whether a target server still matches the registry (exit 1 when it differs)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "grant" -d 'Grant a scope to a client: a new [[grants]] entry, checked against the policy'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "renew" -d 'Renew a client\'s grant: a new approval and expiry'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "revoke" -d 'Revoke a client\'s grant of a scope, with the reason'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "scope" -d 'Define a scope, or deprecate one'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "client" -d 'Add a client file'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "review" -d 'Access-review campaigns: start, decide, close (reviews/NAME.toml)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "usage" -d 'Usage evidence: which grants tokens actually carried (`usage collect`)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "expiring" -d 'List the grants that expire within a window (or have expired), grouped by owner'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "keys" -d 'List an authorization server\'s signing keys and check their rotation and soundness'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "codeowners" -d 'Print (or check, or write) the CODEOWNERS block that makes each file\'s owner team review it'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "apis" -d 'The registry\'s APIs: export the OpenAPI scopes map of one, or check a spec against it'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "schema" -d 'Print the JSON Schema of a registry file kind'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "completions" -d 'Print shell completions'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and not __fish_seen_subcommand_from init import lint diff log report decode plan apply drift grant renew revoke scope client review usage expiring keys codeowners apis schema completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "keycloak" -d 'A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "add" -d 'Define a new scope in scopes/<resource>.toml (or --file)'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "deprecate" -d 'Mark a scope deprecated, naming the scope that replaces it'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from client" -f -a "add" -d 'Add clients/<ID>.toml with its owner and no grants'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from review" -f -a "start" -d 'Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from review" -f -a "decide" -d 'Record a reviewer\'s decision on one grant: keep (optionally renewed) or revoke'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from review" -f -a "close" -d 'Apply the decisions to clients/ (undecided entries take --default) and close the review'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "collect" -d 'Build a usage snapshot (client × scope → first and last seen, count, grant types, and what the evidence covers) from a Keycloak target\'s events, an events file or token samples'
complete -c scopectl -n "__fish_scopectl_using_subcommand help; and __fish_seen_subcommand_from apis" -f -a "export" -d 'Write what an API\'s description should say, from the registry'
