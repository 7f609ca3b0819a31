# bash cnsl completion (generated from the Typer app by `python -m cli.completion`; do not edit)
_cnsl() {
    local cur="${COMP_WORDS[COMP_CWORD]}" cmdpath="" word next i words=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        [[ "$word" == -* ]] && continue
        next="${cmdpath:+$cmdpath }$word"
        case "$next" in
        "acl"|"acl bootstrap"|"acl policy"|"acl policy create"|"acl policy delete"|"acl policy list"|"acl policy read"|"acl policy update"|"acl role"|"acl role create"|"acl role delete"|"acl role list"|"acl role read"|"acl role update"|"acl set-agent-token"|"acl token"|"acl token clone"|"acl token create"|"acl token delete"|"acl token list"|"acl token read"|"acl token update"|"catalog"|"catalog datacenters"|"catalog nodes"|"catalog services"|"completion"|"completion install"|"completion script"|"event"|"force-leave"|"info"|"join"|"kv"|"kv delete"|"kv export"|"kv get"|"kv import"|"kv put"|"leave"|"lock"|"maint"|"members"|"monitor"|"reload"|"rtt"|"services"|"services deregister"|"services register"|"snapshot"|"snapshot agent"|"snapshot inspect"|"snapshot restore"|"snapshot save"|"version"|"watch") cmdpath="$next" ;;
        *) break ;;
        esac
    done
    case "$cmdpath" in
        "") words="acl catalog completion event force-leave info join kv leave lock maint members monitor reload rtt services snapshot version watch" ;;
        "acl") words="bootstrap policy role set-agent-token token" ;;
        "acl bootstrap") words="-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -stale -tls-server-name -token -token-file" ;;
        "acl policy") words="create delete list read update" ;;
        "acl policy create") words="-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -meta -name -rules -stale -tls-server-name -token -token-file -valid-datacenter" ;;
        "acl policy delete") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -name -stale -tls-server-name -token -token-file" ;;
        "acl policy list") words="-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -meta -stale -tls-server-name -token -token-file" ;;
        "acl policy read") words="-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -id -meta -name -stale -tls-server-name -token -token-file" ;;
        "acl policy update") words="-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -meta -name -no-merge -rules -stale -tls-server-name -token -token-file -valid-datacenter" ;;
        "acl role") words="create delete list read update" ;;
        "acl role create") words="-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -meta -name -node-identity -policy-id -policy-name -service-identity -stale -tls-server-name -token -token-file" ;;
        "acl role delete") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -name -stale -tls-server-name -token -token-file" ;;
        "acl role list") words="-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -meta -stale -tls-server-name -token -token-file" ;;
        "acl role read") words="-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -id -meta -name -stale -tls-server-name -token -token-file" ;;
        "acl role update") words="-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -meta -name -no-merge -node-identity -policy-id -policy-name -service-identity -stale -tls-server-name -token -token-file" ;;
        "acl set-agent-token") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file" ;;
        "acl token") words="clone create delete list read update" ;;
        "acl token clone") words="-accessor-id -ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -stale -tls-server-name -token -token-file" ;;
        "acl token create") words="-accessor -ca-file -ca-path -client-cert -client-key -datacenter -description -expires-ttl -format -http-addr -local -meta -node-identity -policy-id -policy-name -role-id -role-name -secret -service-identity -stale -templated-policy -tls-server-name -token -token-file -var" ;;
        "acl token delete") words="-accessor-id -ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -stale -tls-server-name -token -token-file" ;;
        "acl token list") words="-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -meta -stale -tls-server-name -token -token-file" ;;
        "acl token read") words="-accessor-id -ca-file -ca-path -client-cert -client-key -datacenter -expanded -format -http-addr -id -meta -self -stale -tls-server-name -token -token-file" ;;
        "acl token update") words="-accessor-id -append-node-identity -append-policy-id -append-policy-name -append-role-id -append-role-name -append-service-identity -ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -meta -node-identity -policy-id -policy-name -role-id -role-name -service-identity -stale -tls-server-name -token -token-file" ;;
        "catalog") words="datacenters nodes services" ;;
        "catalog datacenters") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file" ;;
        "catalog nodes") words="-ca-file -ca-path -client-cert -client-key -datacenter -detailed -filter -http-addr -near -node-meta -service -stale -tls-server-name -token -token-file" ;;
        "catalog services") words="-ca-file -ca-path -client-cert -client-key -datacenter -filter -http-addr -node -node-meta -stale -tags -tls-server-name -token -token-file" ;;
        "completion") words="install script" ;;
        "completion install") words="-shell" ;;
        "completion script") words="-shell" ;;
        "event") words="-ca-file -ca-path -client-cert -client-key -http-addr -name -node -service -tag -tls-server-name -token -token-file" ;;
        "force-leave") words="-ca-file -ca-path -client-cert -client-key -http-addr -prune -tls-server-name -token -token-file -wan" ;;
        "info") words="-ca-file -ca-path -client-cert -client-key -http-addr -tls-server-name -token -token-file" ;;
        "join") words="-ca-file -ca-path -client-cert -client-key -http-addr -tls-server-name -token -token-file -wan" ;;
        "kv") words="delete export get import put" ;;
        "kv delete") words="-ca-file -ca-path -cas -client-cert -client-key -datacenter -http-addr -modify-index -recurse -stale -tls-server-name -token -token-file" ;;
        "kv export") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file" ;;
        "kv get") words="-base64 -ca-file -ca-path -client-cert -client-key -datacenter -detailed -http-addr -keys -recurse -separator -stale -tls-server-name -token -token-file" ;;
        "kv import") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -prefix -stale -tls-server-name -token -token-file" ;;
        "kv put") words="-acquire -base64 -ca-file -ca-path -cas -client-cert -client-key -datacenter -flags -http-addr -modify-index -release -session -stale -tls-server-name -token -token-file" ;;
        "leave") words="-ca-file -ca-path -client-cert -client-key -http-addr -tls-server-name -token -token-file" ;;
        "lock") words="-ca-file -ca-path -child-exit-code -client-cert -client-key -datacenter -http-addr -monitor-retry -n -name -no-shell -pass-stdin -shell -stale -timeout -tls-server-name -token -token-file -try -verbose" ;;
        "maint") words="-ca-file -ca-path -client-cert -client-key -disable -enable -http-addr -reason -service -tls-server-name -token -token-file" ;;
        "members") words="-ca-file -ca-path -client-cert -client-key -detailed -filter -http-addr -segment -status -tls-server-name -token -token-file -wan" ;;
        "monitor") words="-ca-file -ca-path -client-cert -client-key -http-addr -log-json -log-level -tls-server-name -token -token-file" ;;
        "reload") words="-ca-file -ca-path -client-cert -client-key -http-addr -tls-server-name -token -token-file" ;;
        "rtt") words="-ca-file -ca-path -client-cert -client-key -http-addr -tls-server-name -token -token-file -wan" ;;
        "services") words="deregister register" ;;
        "services deregister") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -stale -tls-server-name -token -token-file" ;;
        "services register") words="-address -ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -kind -meta -name -port -socket -stale -tag -tagged-address -tls-server-name -token -token-file" ;;
        "snapshot") words="agent inspect restore save" ;;
        "snapshot agent") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -interval -path -retain -service -stale -tls-server-name -token -token-file" ;;
        "snapshot inspect") words="-format" ;;
        "snapshot restore") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file" ;;
        "snapshot save") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file" ;;
        "version") words="-format" ;;
        "watch") words="-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -key -name -passingonly -prefix -service -shell -stale -state -tag -tls-server-name -token -token-file -type" ;;
    esac
    if [[ "$cur" != -* ]]; then
        case "$cmdpath" in
        "kv get"|"kv put"|"kv delete")
            words="$(cnsl kv get -keys "$cur" 2>/dev/null)" ;;
        esac
    fi
    if [[ "${COMP_WORDS[COMP_CWORD-1]}" == -service ]]; then
        words="$(cnsl catalog services 2>/dev/null)"
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _cnsl cnsl
