# Sourced by test.sh: system tools the tests drive for real, installed when missing.
need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v dig >/dev/null 2>&1 || need+=(dnsutils)
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
    else
        echo "the tests need: ${need[*]} (install them, or run as root on Debian)" >&2
        exit 1
    fi
fi
