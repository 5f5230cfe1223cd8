#!/usr/bin/env bash
# deps.sh — install the Debian packages radiogx needs to build, test and run its demo.
# As root: installs what is missing (apt-get update first).  Otherwise: prints the exact
# apt-get line and fails, so nothing is half-set-up.
#
#   scripts/deps.sh [GROUP...]   GROUP: analyze (make analyze: scan-build-14), fuzz (make
#                                fuzz: clang-14 and its libFuzzer runtime); the tests and the
#                                demo need neither.
set -euo pipefail

PKGS=(
  build-essential pkg-config            # compiler, make
  openmpi-bin libopenmpi-dev            # MPI (mpicc, mpirun)
  libhdf5-openmpi-dev hdf5-tools        # parallel HDF5, h5dump/h5diff
  libhts-dev bcftools tabix             # HTSlib; bcftools/tabix used by tests
  libgsl-dev libopenblas-dev            # GSL statistics, OpenBLAS as its CBLAS
  libnifti2-dev libyaml-dev zlib1g-dev  # NIfTI, YAML config, gzip
  libisal-dev                           # .nii.gz inflated in pieces (ISA-L: 3x zlib's speed)
  libdeflate-dev                        # .nii.gz written (libdeflate: the same bytes in any thread)
  libssl-dev                            # SHA-256 of the inputs (libcrypto's assembly)
  libzstd-dev libsqlite3-dev            # BGEN v1.3 (zstd) and its .bgi index (SQLite); /assoc
  zstd                                  # tests: the run file's zstd chunks read by the zstd tool
  libcairo2-dev                         # plots (Manhattan, QQ) drawn in C
  libopenjp2-7-dev libcharls-dev libjpeg-dev  # DICOM: JPEG 2000, JPEG-LS, JPEG baseline
  python3-pydicom python3-numpy python3-h5py  # DICOM tests write their series with pydicom
  dcmtk libgdcm-tools                   # DICOM tests: compressed series made by DCMTK, GDCM
  libfftw3-dev                          # FFTs of the frequency-domain and wide filters (IBSI 2)
  python3-numpy                         # the IBSI 2 response-map test compares maps with it
  plink2                                # independent truth for the association tests
  plastimatch                           # tests: the DVH against plastimatch dvh (dicom_dose.t)
  r-base-core r-cran-survival           # R glm and survival::coxph: truth for the binary and Cox fits
  r-bioc-sva                            # sva::ComBat, independent truth for the harmonisation
  slurmctld slurmd slurm-client munge   # the Slurm end-to-end tests
  iproute2 util-linux                   # the 3-node cluster test: ip netns, nsenter, unshare
  perl valgrind hyperfine python3      # prove, memory checks, benchmarks, test cohorts
  python3-h5py                          # tests: the run file against docs/formats.md
  python3-yaml                          # tests: the GWAS-SSF metadata sidecars
  python3-scipy                         # tests: ANOVA, Levene, t and chi-square tails (harmonise_run.t,
                                        # exports.t)
  clang-format                          # make format
)
for g in "$@"; do
  case "$g" in
    analyze) PKGS+=(clang-tools-14) ;;
    fuzz) PKGS+=(clang-14 libclang-rt-14-dev) ;; # (the runtime is only recommended by clang-14)
    *) echo "deps.sh: unknown group '$g' (analyze, fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "radiogx: missing Debian packages. Run as root:" >&2
  echo "  apt-get update && DEBIAN_FRONTEND=noninteractive $line" >&2
  exit 1
fi
echo "radiogx: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
