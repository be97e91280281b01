# Packages each function's code for Terraform: src/<function>/ becomes build/<function>.zip,
# byte for byte the same on every rebuild, so source_code_hash (and the next `terraform plan`)
# changes only when a source file does. Run it before `terraform plan` and `apply`:
#   sh build.sh               every function under src/
#   sh build.sh users-fn      only the functions named
# What would make two builds differ, and what this does about it: entries are sorted by path,
# dated 1980-01-01, mode 0644 (0755 when executable), stored uncompressed (deflate output
# depends on the zlib build), with no directory entries, extra fields or comment. It needs only
# python3's standard library.
set -eu
cd "$(dirname "$0")"
[ "$#" -gt 0 ] || set -- $(cd src && ls)
mkdir -p build
for fn in "$@"; do
  python3 - "src/$fn" "build/$fn.zip" <<'PY'
import os, stat, sys, zipfile

src, out = sys.argv[1], sys.argv[2]
paths = sorted(
    os.path.relpath(os.path.join(root, name), src).replace(os.sep, "/")
    for root, dirs, files in os.walk(src)
    for name in files
    if "__pycache__" not in root.split(os.sep) and not name.endswith(".pyc")
)
if not paths:
    sys.exit(f"{src}: no files to package")
tmp = out + ".tmp"
with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
    for path in paths:
        full = os.path.join(src, path)
        info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
        mode = 0o755 if os.stat(full).st_mode & stat.S_IXUSR else 0o644
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.create_system = 3
        with open(full, "rb") as f:
            zf.writestr(info, f.read(), compress_type=zipfile.ZIP_STORED)
os.replace(tmp, out)
print(f"{out}: {len(paths)} file(s)")
PY
done
