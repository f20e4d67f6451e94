#!/usr/bin/env bash
# API tokens end to end: tokens of each role made on a workspace with an owner, the secret shown
# once (alone on stdout) and never again (not by list, not in the database file), revocation by
# name and by id, and the refusals: an unknown role, a seller without an owner or with an unknown
# one, a name taken twice (even after revocation), a name that is not one.
source "$(dirname "$0")/lib.sh"
W="$T/ws"

expect_ok "init" "$LEADQ" init "$W"
expect_ok "owner ana" "$LEADQ" owner add ana --name "Ana A" --role SDR --capacity 10 -w "$W"

# One token of each role. stdout is the secret alone; stderr says it cannot be shown again.
declare -A SECRET
for spec in "t-admin admin" "t-ops ops" "t-feed ingest" "ana@example.com seller ana"; do
  read -r name role owner <<<"$spec"
  args=(token create --name "$name" --role "$role" -w "$W")
  [ -n "${owner:-}" ] && args+=(--owner "$owner")
  if secret=$("$LEADQ" "${args[@]}" 2>"$T/err"); then pass; else fail "create $name: $(cat "$T/err")"; fi
  SECRET[$name]=$secret
  if [[ "$secret" =~ ^lq_[A-Za-z0-9_-]{43}$ ]]; then pass; else fail "secret of $name: '$secret'"; fi
  LAST=$(cat "$T/err")
  expect_in "create $name says once" "cannot be shown again"
  expect_in "create $name names it" "token $name (id "
done
expect_eq "secrets differ" "$(printf '%s\n' "${SECRET[@]}" | sort -u | wc -l | tr -d ' ')" "4"

# The list: every token with its role and owner, never a secret.
expect_ok "list" "$LEADQ" token list -w "$W"
expect_in "list header" "ID  NAME"
expect_in "list seller" "ana@example.com  seller  ana"
expect_in "list ingest" "t-feed"
expect_ok "list json" "$LEADQ" token list --format json -w "$W"
expect_in "json role" '"role": "ingest"'
expect_in "json owner" '"owner": "ana"'
expect_in "json not revoked" '"revoked_at": null'
for name in "${!SECRET[@]}"; do
  secret=${SECRET[$name]}
  if grep -qF -- "${secret#lq_}" <<<"$("$LEADQ" token list -w "$W"; "$LEADQ" token list --format json -w "$W")"; then
    fail "list shows the secret of $name"
  else
    pass
  fi
  if grep -qaF -- "${secret#lq_}" "$W"/leadq.db* ; then fail "the database holds the secret of $name"; else pass; fi
done

# Revoke by name and by id; again changes nothing; unknown is refused.
expect_ok "revoke by name" "$LEADQ" token revoke t-feed -w "$W"
expect_in "revoked" "t-feed (id 3) revoked at "
expect_ok "revoke again" "$LEADQ" token revoke 3 -w "$W"
expect_in "already" "t-feed (id 3) was revoked at "
expect_ok "revoke by id" "$LEADQ" token revoke 2 -w "$W"
expect_in "by id" "t-ops (id 2) revoked at "
expect_fail "revoke unknown" "$LEADQ" token revoke nobody -w "$W"
expect_in "unknown says so" 'no API token "nobody"'
expect_fail "revoke unknown id" "$LEADQ" token revoke 99 -w "$W"
expect_ok "list json after" "$LEADQ" token list --format json -w "$W"
expect_eq "two revoked" "$(grep -c '"revoked_at": "' <<<"$LAST")" "2"
expect_ok "list after" "$LEADQ" token list -w "$W"
expect_in "still listed" "t-feed"

# Refusals.
expect_fail "bad role" "$LEADQ" token create --name t-root --role root -w "$W"
expect_in "bad role says which" '--role "root" is not admin, ops, seller or ingest'
expect_fail "seller without owner" "$LEADQ" token create --name t-bo --role seller -w "$W"
expect_in "seller needs owner" "a seller token needs an owner"
expect_fail "seller unknown owner" "$LEADQ" token create --name t-bo --role seller --owner zed -w "$W"
expect_in "unknown owner" 'no owner "zed"'
expect_fail "duplicate name" "$LEADQ" token create --name t-admin --role ops -w "$W"
expect_in "duplicate says which" "t-admin"
expect_fail "revoked name stays taken" "$LEADQ" token create --name t-feed --role ingest -w "$W"
expect_fail "bad name" "$LEADQ" token create --name "has space" --role ops -w "$W"
expect_in "bad name says how" "A-Z a-z 0-9 . _ @ -"
expect_fail "digits name" "$LEADQ" token create --name 123 --role ops -w "$W"
expect_fail "no name" "$LEADQ" token create --role ops -w "$W"
expect_ok "refusals added nothing" "$LEADQ" token list --format json -w "$W"
expect_eq "four tokens" "$(grep -c '"id": ' <<<"$LAST")" "4"

# No workspace: a clear failure.
expect_fail "no workspace" "$LEADQ" token list -w "$T/none"
expect_in "init hint" "leadq init"

finish
