# fish cnsl completion (generated from the Typer app by `python -m cli.completion`; do not edit)
set -g __cnsl_paths 'acl' 'acl bootstrap' 'acl policy' 'acl policy create' 'acl policy delete' 'acl policy list' 'acl policy read' 'acl policy update' 'acl role' 'acl role create' 'acl role delete' 'acl role list' 'acl role read' 'acl role update' 'acl set-agent-token' 'acl token' 'acl token clone' 'acl token create' 'acl token delete' 'acl token list' 'acl token read' 'acl token update' 'catalog' 'catalog datacenters' 'catalog nodes' 'catalog services' 'completion' 'completion install' 'completion script' 'event' 'info' 'kv' 'kv delete' 'kv export' 'kv get' 'kv import' 'kv put' 'lock' 'maint' 'members' 'monitor' 'reload' 'services' 'services deregister' 'services register' 'snapshot' 'snapshot agent' 'snapshot inspect' 'snapshot restore' 'snapshot save' 'version' 'watch'
function __cnsl_at
    set -l words (commandline -opc)
    set -e words[1]
    set -l p ""
    for w in $words
        string match -q -- '-*' $w; and continue
        set -l next (string trim -- "$p $w")
        contains -- $next $__cnsl_paths; or break
        set p $next
    end
    test "$p" = "$argv[1]"
end
complete -c cnsl -f
complete -c cnsl -n "__cnsl_at ''" -a 'acl catalog completion event info kv lock maint members monitor reload services snapshot version watch'
complete -c cnsl -n "__cnsl_at 'acl'" -a 'bootstrap policy role set-agent-token token'
complete -c cnsl -n "__cnsl_at 'acl bootstrap'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl policy'" -a 'create delete list read update'
complete -c cnsl -n "__cnsl_at 'acl policy create'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -meta -name -rules -stale -tls-server-name -token -token-file -valid-datacenter'
complete -c cnsl -n "__cnsl_at 'acl policy delete'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -name -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl policy list'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -meta -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl policy read'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -id -meta -name -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl policy update'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -meta -name -no-merge -rules -stale -tls-server-name -token -token-file -valid-datacenter'
complete -c cnsl -n "__cnsl_at 'acl role'" -a 'create delete list read update'
complete -c cnsl -n "__cnsl_at 'acl role create'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -meta -name -node-identity -policy-id -policy-name -service-identity -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl role delete'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -name -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl role list'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -meta -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl role read'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -id -meta -name -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl role update'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -meta -name -no-merge -node-identity -policy-id -policy-name -service-identity -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl set-agent-token'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl token'" -a 'clone create delete list read update'
complete -c cnsl -n "__cnsl_at 'acl token clone'" -a '-accessor-id -ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl token create'" -a '-accessor -ca-file -ca-path -client-cert -client-key -datacenter -description -expires-ttl -format -http-addr -local -meta -node-identity -policy-id -policy-name -role-id -role-name -secret -service-identity -stale -templated-policy -tls-server-name -token -token-file -var'
complete -c cnsl -n "__cnsl_at 'acl token delete'" -a '-accessor-id -ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl token list'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -format -http-addr -meta -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl token read'" -a '-accessor-id -ca-file -ca-path -client-cert -client-key -datacenter -expanded -format -http-addr -id -meta -self -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'acl token update'" -a '-accessor-id -append-node-identity -append-policy-id -append-policy-name -append-role-id -append-role-name -append-service-identity -ca-file -ca-path -client-cert -client-key -datacenter -description -format -http-addr -id -meta -node-identity -policy-id -policy-name -role-id -role-name -service-identity -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'catalog'" -a 'datacenters nodes services'
complete -c cnsl -n "__cnsl_at 'catalog datacenters'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'catalog nodes'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -detailed -filter -http-addr -near -node-meta -service -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'catalog services'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -filter -http-addr -node -node-meta -stale -tags -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'completion'" -a 'install script'
complete -c cnsl -n "__cnsl_at 'completion install'" -a '-shell'
complete -c cnsl -n "__cnsl_at 'completion script'" -a '-shell'
complete -c cnsl -n "__cnsl_at 'event'" -a '-ca-file -ca-path -client-cert -client-key -http-addr -name -node -service -tag -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'info'" -a '-ca-file -ca-path -client-cert -client-key -http-addr -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'kv'" -a 'delete export get import put'
complete -c cnsl -n "__cnsl_at 'kv delete'" -a '-ca-file -ca-path -cas -client-cert -client-key -datacenter -http-addr -modify-index -recurse -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'kv export'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'kv get'" -a '-base64 -ca-file -ca-path -client-cert -client-key -datacenter -detailed -http-addr -keys -recurse -separator -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'kv import'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -prefix -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'kv put'" -a '-acquire -base64 -ca-file -ca-path -cas -client-cert -client-key -datacenter -flags -http-addr -modify-index -release -session -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'lock'" -a '-ca-file -ca-path -child-exit-code -client-cert -client-key -datacenter -http-addr -monitor-retry -n -name -no-shell -pass-stdin -shell -stale -timeout -tls-server-name -token -token-file -try -verbose'
complete -c cnsl -n "__cnsl_at 'maint'" -a '-ca-file -ca-path -client-cert -client-key -disable -enable -http-addr -reason -service -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'members'" -a '-ca-file -ca-path -client-cert -client-key -detailed -filter -http-addr -segment -status -tls-server-name -token -token-file -wan'
complete -c cnsl -n "__cnsl_at 'monitor'" -a '-ca-file -ca-path -client-cert -client-key -http-addr -log-json -log-level -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'reload'" -a '-ca-file -ca-path -client-cert -client-key -http-addr -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'services'" -a 'deregister register'
complete -c cnsl -n "__cnsl_at 'services deregister'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'services register'" -a '-address -ca-file -ca-path -client-cert -client-key -datacenter -http-addr -id -kind -meta -name -port -socket -stale -tag -tagged-address -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'snapshot'" -a 'agent inspect restore save'
complete -c cnsl -n "__cnsl_at 'snapshot agent'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -interval -path -retain -service -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'snapshot inspect'" -a '-format'
complete -c cnsl -n "__cnsl_at 'snapshot restore'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'snapshot save'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -stale -tls-server-name -token -token-file'
complete -c cnsl -n "__cnsl_at 'version'" -a '-format'
complete -c cnsl -n "__cnsl_at 'watch'" -a '-ca-file -ca-path -client-cert -client-key -datacenter -http-addr -key -name -passingonly -prefix -service -shell -stale -state -tag -tls-server-name -token -token-file -type'
complete -c cnsl -n "__cnsl_at 'kv get'" -a '(command -q cnsl; and cnsl kv get -keys (commandline -ct) 2>/dev/null)'
complete -c cnsl -n "__cnsl_at 'kv put'" -a '(command -q cnsl; and cnsl kv get -keys (commandline -ct) 2>/dev/null)'
complete -c cnsl -n "__cnsl_at 'kv delete'" -a '(command -q cnsl; and cnsl kv get -keys (commandline -ct) 2>/dev/null)'
complete -c cnsl -n "string match -q -- -service (commandline -opc)[-1]" -a '(command -q cnsl; and cnsl catalog services 2>/dev/null)'
