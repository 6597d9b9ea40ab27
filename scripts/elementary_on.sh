#!/usr/bin/env bash
# Turn Elementary on (make elementary-on): the Elementary dbt package and dbt_utils into
# dbt_packages/, the `edr` CLI (same version) into its own venv, and Elementary's tables
# into the warehouse. Nothing here is committed: dbt_packages/ and .venv-edr/ are git-ignored.
#
#   dbt Hub and PyPI reachable:   make elementary-on
#   no Hub (offline checkout):    make elementary-on ELEMENTARY_SRC=<path> DBT_UTILS_SRC=<path>
#
# A *_SRC path is a checkout of the package (a folder with dbt_project.yml, at the right
# version) or a git directory (bare or .git) from which the version's tag is exported:
#   ELEMENTARY_SRC  elementary-data/dbt-data-reliability, tag $ELEMENTARY_VERSION
#   DBT_UTILS_SRC   dbt-labs/dbt-utils, tags $DBT_UTILS_VERSION (project) and
#                   $EDR_DBT_UTILS_VERSION (edr's internal project, which needs 0.8.x);
#                   EDR_DBT_UTILS_SRC overrides the latter when DBT_UTILS_SRC is a checkout.
#
# edr is installed into .venv-edr, not .venv: elementary-data pulls ~20 packages and
# downgrades networkx below the project's lock. .venv-edr pins dbt-core, dbt-duckdb and
# duckdb to the versions in requirements.lock, so both read the same DuckDB file.
set -euo pipefail
cd "$(dirname "$0")/.."

ELEMENTARY_VERSION=${ELEMENTARY_VERSION:-0.25.0}
DBT_UTILS_VERSION=${DBT_UTILS_VERSION:-1.4.1}
EDR_DBT_UTILS_VERSION=${EDR_DBT_UTILS_VERSION:-0.8.6}
EDR_VENV=${EDR_VENV:-.venv-edr}
PACKAGES=${DBT_PACKAGES_DIR:-dbt_packages}
ELEMENTARY_SRC=${ELEMENTARY_SRC:-}
DBT_UTILS_SRC=${DBT_UTILS_SRC:-}
EDR_DBT_UTILS_SRC=${EDR_DBT_UTILS_SRC:-$DBT_UTILS_SRC}
BIN=.venv/bin
export DBT_PROFILES_DIR=${DBT_PROFILES_DIR:-$PWD}

say() { printf 'elementary-on: %s\n' "$*"; }
die() { printf 'elementary-on: error: %s\n' "$*" >&2; exit 1; }

pinned() { # version of a package in requirements.lock
    sed -n "s/^$1==//p" requirements.lock | head -1
}

package_version() { # version: field of a dbt_project.yml
    sed -n 's/^version:[[:space:]]*["'\'']\{0,1\}\([^"'\'' ]*\).*/\1/p' "$1" | head -1
}

# materialize <src> <version> <dest> [check]: copy a checkout, or export a tag of a git
# directory; with check, the dbt_project.yml version must match (dbt_utils always says 0.1.0).
materialize() {
    local src=$1 version=$2 dest=$3 check=${4:-} tmp
    tmp=$(mktemp -d)
    if [[ -f "$src/dbt_project.yml" ]]; then
        cp -R "$src/." "$tmp/"
        rm -rf "$tmp/.git"
    elif git --git-dir="$src" rev-parse --git-dir >/dev/null 2>&1; then
        local tag=""
        for candidate in "$version" "v$version"; do
            if git --git-dir="$src" rev-parse -q --verify "refs/tags/$candidate^{commit}" >/dev/null; then
                tag=$candidate
                break
            fi
        done
        [[ -n "$tag" ]] || die "$src has no tag $version"
        git --git-dir="$src" archive "$tag" | tar -x -C "$tmp"
    else
        die "$src is neither a package checkout (dbt_project.yml) nor a git directory"
    fi
    if [[ -n "$check" ]]; then
        local found
        found=$(package_version "$tmp/dbt_project.yml")
        [[ "$found" == "$version" ]] || die "$src is version $found, expected $version"
    fi
    rm -rf "$dest"
    mkdir -p "$(dirname "$dest")"
    mv "$tmp" "$dest"
}

# 1. The dbt packages, into the project's dbt_packages/.
if [[ -n "$ELEMENTARY_SRC" ]]; then
    [[ -n "$DBT_UTILS_SRC" ]] || die "offline install needs DBT_UTILS_SRC too (Elementary depends on dbt_utils)"
    say "installing elementary $ELEMENTARY_VERSION and dbt_utils $DBT_UTILS_VERSION from local sources"
    materialize "$ELEMENTARY_SRC" "$ELEMENTARY_VERSION" "$PACKAGES/elementary" check
    materialize "$DBT_UTILS_SRC" "$DBT_UTILS_VERSION" "$PACKAGES/dbt_utils"
else
    # No packages.yml in the repository (a Hub package there would break every offline
    # dbt command): resolve in a scratch project, then move the packages into place.
    say "installing elementary $ELEMENTARY_VERSION from the dbt Hub"
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    cat >"$scratch/dbt_project.yml" <<EOF
name: nba_props_elementary_deps
version: "1.0.0"
config-version: 2
EOF
    cat >"$scratch/packages.yml" <<EOF
packages:
  - package: elementary-data/elementary
    version: "$ELEMENTARY_VERSION"
  - package: dbt-labs/dbt_utils
    version: "$DBT_UTILS_VERSION"
EOF
    "$BIN/dbt" deps --project-dir "$scratch" --profiles-dir "$scratch" \
        || die "dbt deps failed (is the dbt Hub reachable? offline: set ELEMENTARY_SRC and DBT_UTILS_SRC)"
    mkdir -p "$PACKAGES"
    for pkg in elementary dbt_utils; do
        rm -rf "${PACKAGES:?}/$pkg"
        mv "$scratch/dbt_packages/$pkg" "$PACKAGES/$pkg"
    done
fi
installed=$(package_version "$PACKAGES/elementary/dbt_project.yml")
[[ "$installed" == "$ELEMENTARY_VERSION" ]] || die "dbt_packages/elementary is $installed, expected $ELEMENTARY_VERSION"

# 2. The edr CLI, same version, in its own venv (same dbt and DuckDB as the project).
if [[ ! -x "$EDR_VENV/bin/edr" ]] \
    || [[ "$("$EDR_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("elementary-data"))' 2>/dev/null)" != "$ELEMENTARY_VERSION" ]]; then
    say "installing elementary-data[duckdb]==$ELEMENTARY_VERSION into $EDR_VENV"
    [[ -x "$EDR_VENV/bin/python" ]] || "$BIN/uv" venv --quiet --python "$BIN/python" "$EDR_VENV"
    "$BIN/uv" pip install --quiet --python "$EDR_VENV/bin/python" \
        "elementary-data[duckdb]==$ELEMENTARY_VERSION" \
        "dbt-core==$(pinned dbt-core)" "dbt-duckdb==$(pinned dbt-duckdb)" "duckdb==$(pinned duckdb)"
fi
internal=$("$EDR_VENV/bin/python" -c 'import elementary, os; print(os.path.join(os.path.dirname(elementary.__file__), "monitor", "dbt_project"))')

# 3. edr's configuration: no usage tracking, no version check at start. Offline, also the
#    packages of edr's internal dbt project, and no `dbt deps` (a failed deps deletes them).
config_dir="$EDR_VENV/edr-config"
mkdir -p "$config_dir"
{
    echo "anonymous_usage_tracking: False"
    echo "disable_elementary_version_check: True"
    if [[ -n "$ELEMENTARY_SRC" ]]; then
        echo "run_dbt_deps_if_needed: False"
    fi
} >"$config_dir/config.yml"
if [[ -n "$ELEMENTARY_SRC" ]]; then
    say "installing edr's internal packages (elementary $ELEMENTARY_VERSION, dbt_utils $EDR_DBT_UTILS_VERSION)"
    materialize "$ELEMENTARY_SRC" "$ELEMENTARY_VERSION" "$internal/dbt_packages/elementary" check
    materialize "$EDR_DBT_UTILS_SRC" "$EDR_DBT_UTILS_VERSION" "$internal/dbt_packages/dbt_utils"
fi

# 4. Elementary's own tables (schema `elementary`), then a reminder of what is now on.
database=${NBA_PROPS_DUCKDB:-data/nba_props.duckdb}
say "creating Elementary's tables in $database"
NBA_PROPS_DUCKDB=$database "$BIN/dbt" run --select elementary \
    --vars '{elementary_enabled: true}' --target-path "${DBT_TARGET_PATH:-target}" --quiet
"$BIN/dbt" --version | sed -n 's/^ *- installed: */dbt-core /p;s/^ *- duckdb: */dbt-duckdb /p' | head -2
cat <<EOF
elementary-on: done. Elementary $ELEMENTARY_VERSION is installed (dbt_packages/), edr in $EDR_VENV.
  make run passes --elementary (the anomaly tests, on the demo's own clock) and make slim-ci
  passes --vars '{elementary_enabled: true}' while dbt_packages/elementary exists; for your
  own dbt commands add the var yourself:
    .venv/bin/dbt build --vars '{elementary_enabled: true}'
  the report: make elementary-report   ->   reports/elementary_report.html
  off again:  rm -rf dbt_packages/elementary dbt_packages/dbt_utils
EOF
