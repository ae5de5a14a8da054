# Sourced by the README's commands: makes sure the tools and Debian packages spikeforge needs
# are present. As root it installs what is missing with apt-get; otherwise it prints the exact
# command to run and stops. Each later capability adds its packages to the list below.

# command-or-file  debian-package
SPIKEFORGE_REQUIREMENTS=(
    "java            openjdk-17-jdk-headless"
    "javac           openjdk-17-jdk-headless"
    "mvn             maven"
    "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz  dataset-fashion-mnist"
    "/usr/lib/python3/dist-packages/numpy/__init__.py              python3-numpy"
    "verilator       verilator"
    "iverilog        iverilog"
    "yosys           yosys"
    "nextpnr-ice40   nextpnr-ice40"
    "g++             g++"
    "make            make"
    "fc-list         fontconfig"
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf               fonts-dejavu-core"
    "h5dump          hdf5-tools"
    "/usr/lib/python3/dist-packages/h5py/__init__.py               python3-h5py"
)

spikeforge_require() {
    spikeforge_require_packages "${SPIKEFORGE_REQUIREMENTS[@]}" || return
    local version
    version=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
    if [ -z "$version" ] || [ "${version%%.*}" -lt 17 ]; then
        echo "spikeforge: Java 17 or newer is needed (found: ${version:-none}); install openjdk-17-jdk-headless" >&2
        return 3
    fi
}

# spikeforge_require_packages "command-or-file debian-package" ...: the same check for a list of
# one script's own (scripts/make-spoken-digits.sh has its own list).
spikeforge_require_packages() {
    local missing=() entry what pkg
    for entry in "$@"; do
        read -r what pkg <<<"$entry"
        if [[ "$what" == /* ]]; then
            [ -e "$what" ] && continue
        else
            command -v "$what" >/dev/null 2>&1 && continue
        fi
        [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "spikeforge: installing ${missing[*]}" >&2
            apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || {
                echo "spikeforge: apt-get could not install ${missing[*]}" >&2
                return 3
            }
        else
            echo "spikeforge: missing Debian packages; run as root:" >&2
            echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
            return 3
        fi
    fi
}
