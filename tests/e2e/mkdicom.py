#!/usr/bin/python3
"""mkdicom.py — synthetic DICOM inputs for the DICOM tests, written with pydicom, with the
answers computed here, independently of radiogx.

  mkdicom.py series DIR [--orient axial|oblique] [--order normal|reversed|shuffled]
                        [--syntax implicit|explicit|big|deflated|rle] [--enhanced]
                        [--drop K] [--shift K MM] [--dup K] [--no-truth] [--seg]
      A CT (or PET) series of NX x NY x NZ voxels, 0.9 x 0.8 x 1.5 mm, stored values with
      Rescale Slope 0.5 / Intercept -1024, and DIR/rtstruct.dcm with two ROIs: "Sphere"
      (radius 12 mm) and "Hollow" (the same sphere less a concentric one of 6 mm: on the
      slices through the inner sphere two contours, filled by the even-odd rule).  Prints a
      JSON line with, per ROI, the voxels whose centres are inside (counted here from the
      circles), their volume, the analytic volume and the mean, min and max intensity.  With
      --seg also DIR/seg.dcm and DIR/seg_frac.dcm, DICOM-SEG objects of those voxels.
  mkdicom.py dose DIR [--gauss]: DIR/CT (the series), DIR/rtstruct.dcm (Sphere, Hollow and
      Cube) and DIR/rtdose.dcm (a linear ramp along x, or a Gaussian bump); see write_dose.
  mkdicom.py pet DIR ... [--pet-edit KEYWORD=VALUE]...: the series as PET in Bq/ml with the
      SUV tags (72.5 kg, 350 MBq F-18 injected at 09:10, series at 10:15, decay START), some
      changed or deleted (empty VALUE); the JSON gives the SUV body-weight factor computed
      here from the tags (suv_by_hand).

The voxel intensity is f(i, j, k) = 3 i - 2 j + 5 k + 7 (HU), i along the rows, j down the
columns, k along the slice normal, so that any mistake in ordering or orientation shows."""
import argparse, datetime, json, math, os, random, sys
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian,
                         DeflatedExplicitVRLittleEndian, RLELossless, generate_uid)

NX, NY, NZ = 48, 40, 30
SX, SY, SZ = 0.9, 0.8, 1.5
CENTRE = (23.3, 19.6, 14.2)  # voxel coordinates of the sphere's centre
R_OUT, R_IN = 12.0, 6.0
NPTS = 720
if os.environ.get("MKDICOM_TINY"):  # the fuzzers' seed corpus: tiny files
    NX, NY, NZ, CENTRE, R_OUT, R_IN, NPTS = 8, 6, 4, (3.3, 2.6, 1.7), 2.5, 1.0, 8
SLOPE, INTER = 0.5, -1024.0

CT_SOP = "1.2.840.10008.5.1.4.1.1.2"
ECT_SOP = "1.2.840.10008.5.1.4.1.1.2.1"
PT_SOP = "1.2.840.10008.5.1.4.1.1.128"
RS_SOP = "1.2.840.10008.5.1.4.1.1.481.3"
RD_SOP = "1.2.840.10008.5.1.4.1.1.481.2"


def intensity(i, j, k):
    return 3 * i - 2 * j + 5 * k + 7


def rotation(oblique):
    if not oblique:
        return np.eye(3)
    ax = np.array([1.0, 2.0, 3.0]); ax /= np.linalg.norm(ax)
    t = math.radians(35)
    K = np.array([[0, -ax[2], ax[1]], [ax[2], 0, -ax[0]], [-ax[1], ax[0], 0]])
    return np.eye(3) + math.sin(t) * K + (1 - math.cos(t)) * K @ K


def geometry(oblique):
    rot = rotation(oblique)
    row, col = rot @ [1.0, 0, 0], rot @ [0, 1.0, 0]
    nrm = np.cross(row, col)
    origin = np.array([-20.0, -15.0, 30.0])
    return row, col, nrm, origin


def radius_at(k, r):
    dz = (k - CENTRE[2]) * SZ
    return math.sqrt(r * r - dz * dz) if abs(dz) < r else None


def inside(i, j, k, r, margin=0.0):
    rk = radius_at(k, r)
    if rk is None:
        return False
    d2 = ((i - CENTRE[0]) * SX) ** 2 + ((j - CENTRE[1]) * SY) ** 2
    return d2 < (rk + margin) ** 2


MASKS = {}  # truth(): per ROI, the voxels inside (z, y, x)


def polygon(k, r, scale=1.0):
    """The contour of radius r on slice k as in-plane (u, v) mm (u along the rows)."""
    rk = radius_at(k, r)
    if rk is None:
        return None
    th = np.arange(NPTS) * 2 * math.pi / NPTS
    return (CENTRE[0] * SX + scale * rk * np.cos(th), CENTRE[1] * SY + scale * rk * np.sin(th))


def crossings(u, v, poly):
    """Even-odd parity of crossings to the right of each point (u, v) (ray casting)."""
    pu, pv = poly
    odd = np.zeros(u.shape, bool)
    for q in range(len(pu)):
        au, av, bu, bv = pu[q], pv[q], pu[(q + 1) % len(pu)], pv[(q + 1) % len(pu)]
        if av == bv:
            continue
        c = (av > v) != (bv > v)
        x = au + (v - av) * (bu - au) / (bv - av)
        odd ^= c & (u < x)
    return odd


def truth():
    """Voxel centres inside each ROI by the even-odd rule across its contours on a slice,
    computed from the polygons written (in-plane mm); each polygon is also grown and shrunk
    by 1e-5 mm, and the answer must not change (no centre on a contour)."""
    jj, ii = np.mgrid[0:NY, 0:NX]
    u, v = ii * SX, jj * SY
    out = {}
    for name in ("Sphere", "Hollow"):
        vals = []
        MASKS[name] = np.zeros((NZ, NY, NX), bool)
        for k in range(NZ):
            m = {}
            for grow in (-1, 0, 1):
                m[grow] = np.zeros(u.shape, bool)
                for r in (R_OUT, R_IN) if name == "Hollow" else (R_OUT,):
                    rk = radius_at(k, r)
                    if rk is not None:
                        m[grow] ^= crossings(u, v, polygon(k, r, 1 + grow * 1e-5 / rk))
            assert (m[-1] == m[0]).all() and (m[1] == m[0]).all(), "a voxel centre on a contour"
            MASKS[name][k] = m[0]
            vals += list(intensity(ii[m[0]], jj[m[0]], k))
        vv = np.array(vals, dtype=float)
        analytic = 4 / 3 * math.pi * (R_OUT ** 3 - (R_IN ** 3 if name == "Hollow" else 0))
        out[name] = {"voxels": int(vv.size), "volume": vv.size * SX * SY * SZ,
                     "analytic": analytic, "mean": float(vv.mean()), "min": float(vv.min()),
                     "max": float(vv.max())}
    return out


def base(ds, sop, modality, study, series, frame):
    ds.SOPClassUID = sop
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = modality
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.PatientID, ds.PatientName = "SYN1", "Synthetic^One"
    ds.StudyDate, ds.SeriesDate = "20240115", "20240115"


def save(ds, path, syntax):
    m = FileMetaDataset()
    m.MediaStorageSOPClassUID, m.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    ts = {"implicit": ImplicitVRLittleEndian, "explicit": ExplicitVRLittleEndian,
          "big": ExplicitVRBigEndian, "deflated": DeflatedExplicitVRLittleEndian,
          "rle": ExplicitVRLittleEndian}[syntax]
    m.TransferSyntaxUID = ts
    ds.file_meta = m
    ds.is_little_endian = syntax != "big"
    ds.is_implicit_VR = syntax == "implicit"
    if syntax == "rle":
        ds.compress(RLELossless)
    ds.save_as(path, write_like_original=False)


def pet_tags(ds):
    ds.Units = "BQML"
    ds.DecayCorrection = "START"
    ds.PatientWeight = "72.5"
    ds.SeriesTime = "101500.000000"
    ds.AcquisitionDate, ds.AcquisitionTime = "20240115", "101500.000000"
    rp = Dataset()
    rp.RadiopharmaceuticalStartDateTime = "20240115091000.000000"
    rp.RadionuclideTotalDose = "350000000"
    rp.RadionuclideHalfLife = "6586.2"
    ds.RadiopharmaceuticalInformationSequence = Sequence([rp])


def apply_edits(ds, edits):
    """--pet-edit KEYWORD=VALUE (empty: delete); Radiopharmaceutical keywords go into the
    sequence's item; GE_SCAN / GE_ADMIN set GE's private DateTimes (0009,100D) / (0009,103B)."""
    rp = ds.RadiopharmaceuticalInformationSequence[0]
    for e in edits:
        key, _, value = e.partition("=")
        if key in ("GE_SCAN", "GE_ADMIN"):
            ds.add_new(0x00090010, "LO", "GEMS_PETD_01")
            ds.add_new(0x0009100D if key == "GE_SCAN" else 0x0009103B, "DT", value)
            continue
        target = rp if key.startswith("Radio") else ds
        if value == "":
            if key in target:
                delattr(target, key)
        else:
            setattr(target, key, value)


def dt_seconds(date, time):
    d = datetime.datetime.strptime(date + time.split(".")[0], "%Y%m%d%H%M%S")
    return d.timestamp()


def suv_by_hand(ds):
    """SUVbw factor from the tags, as the DICOM standard and the QIBA SUV rule define it."""
    if ds.Units == "GML":
        return 1.0
    rp = ds.RadiopharmaceuticalInformationSequence[0]
    w, dose, half = float(ds.PatientWeight), float(rp.RadionuclideTotalDose), float(rp.RadionuclideHalfLife)
    if ds.DecayCorrection == "ADMIN":
        return w * 1000 / dose
    if "RadiopharmaceuticalStartDateTime" in rp:
        inj = dt_seconds(rp.RadiopharmaceuticalStartDateTime[:8], rp.RadiopharmaceuticalStartDateTime[8:])
    elif "RadiopharmaceuticalStartTime" in rp:
        inj = dt_seconds(ds.SeriesDate, rp.RadiopharmaceuticalStartTime)
    else:
        v = ds[0x0009103B].value
        inj = dt_seconds(v[:8], v[8:])
    ref = dt_seconds(ds.SeriesDate, ds.SeriesTime)
    if dt_seconds(ds.AcquisitionDate, ds.AcquisitionTime) < ref:
        v = ds[0x0009100D].value
        ref = dt_seconds(v[:8], v[8:])
    return w * 1000 / (dose * math.exp(-math.log(2) * (ref - inj) / half))


def stored(k):
    jj, ii = np.mgrid[0:NY, 0:NX]
    return ((intensity(ii, jj, k) - INTER) / SLOPE).astype(np.int16)  # rows = j, columns = i


def write_series(a):
    os.makedirs(a.dir, exist_ok=True)
    row, col, nrm, origin = geometry(a.orient == "oblique")
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    ks = list(range(NZ))
    names = list(range(NZ))
    if a.order == "reversed":
        names = names[::-1]
    elif a.order == "shuffled":
        random.Random(7).shuffle(names)
    pos = {k: origin + k * SZ * nrm for k in ks}
    if a.shift is not None:
        pos[a.shift[0]] = pos[a.shift[0]] + float(a.shift[1]) * nrm
    modality, sop = ("PT", PT_SOP) if a.pet else ("CT", CT_SOP)
    if a.enhanced:
        write_enhanced(a, row, col, pos, study, series, frame, names)
    else:
        for k in ks:
            if k == a.drop:
                continue
            for copy in range(2 if k == a.dup else 1):
                ds = Dataset()
                base(ds, sop, modality, study, series, frame)
                ds.InstanceNumber = names[k] + 1
                ds.ImagePositionPatient = [round(float(x), 6) for x in pos[k]]
                ds.ImageOrientationPatient = [round(float(x), 8) for x in list(row) + list(col)]
                ds.PixelSpacing = [SY, SX]  # between rows, between columns
                ds.SliceThickness = SZ
                pixel_module(ds)
                ds.RescaleSlope, ds.RescaleIntercept = SLOPE, INTER
                if a.pet:
                    pet_tags(ds)
                    apply_edits(ds, a.pet_edit)
                    try:
                        suv = suv_by_hand(ds)
                    except (AttributeError, KeyError, ValueError, ZeroDivisionError):
                        suv = None  # a tag the test removed: radiogx must say which
                px = stored(k)
                ds.PixelData = (px.byteswap() if a.syntax == "big" else px).tobytes()
                save(ds, os.path.join(a.dir, "IM%03d%s.dcm" % (names[k], "b" if copy else "")), a.syntax)
    write_rtstruct(a.dir, row, col, nrm, origin, study, frame)
    res = truth() if not a.no_truth or a.seg else {}
    if a.seg:
        write_seg(a.dir, row, col, pos, study, frame, False, names)
        write_seg(a.dir, row, col, pos, study, frame, True, names)
    if a.pet:
        res["suv_factor"] = suv
    print(json.dumps(res))


SEG_SOP = "1.2.840.10008.5.1.4.1.1.66.4"


def write_seg(d, row, col, pos, study, frame, fractional, names):
    """seg.dcm (BINARY) or seg_frac.dcm (FRACTIONAL, 0..255): segment 1 "Sphere" and 2
    "Hollow" from truth()'s voxels, one frame per segment and slice it touches, frames in a
    shuffled order; the fractional one also has voxels of value 100 (< 255 / 2: outside)."""
    ds = Dataset()
    base(ds, SEG_SOP, "SEG", study, generate_uid(), frame)
    ds.SegmentationType = "FRACTIONAL" if fractional else "BINARY"
    if fractional:
        ds.SegmentationFractionalType, ds.MaximumFractionalValue = "PROBABILITY", 255
    segs = []
    for num, name in ((1, "Sphere"), (2, "Hollow")):
        s = Dataset(); s.SegmentNumber, s.SegmentLabel = num, name
        s.SegmentAlgorithmType = "MANUAL"
        segs.append(s)
    ds.SegmentSequence = Sequence(segs)
    sh = Dataset()
    pm = Dataset(); pm.PixelSpacing = [SY, SX]; pm.SliceThickness = SZ
    po = Dataset(); po.ImageOrientationPatient = [round(float(x), 8) for x in list(row) + list(col)]
    sh.PixelMeasuresSequence, sh.PlaneOrientationSequence = Sequence([pm]), Sequence([po])
    ds.SharedFunctionalGroupsSequence = Sequence([sh])
    frames = [(num, k) for num, name in ((1, "Sphere"), (2, "Hollow")) for k in range(NZ)
              if MASKS[name][k].any()]
    random.Random(3).shuffle(frames)
    per, pix = [], []
    for num, k in frames:
        f = Dataset()
        pp = Dataset(); pp.ImagePositionPatient = [round(float(x), 6) for x in pos[k]]
        si = Dataset(); si.ReferencedSegmentNumber = num
        f.PlanePositionSequence, f.SegmentIdentificationSequence = Sequence([pp]), Sequence([si])
        per.append(f)
        m = MASKS["Sphere" if num == 1 else "Hollow"][k]
        if fractional:
            fr = np.where(m, 200, 0).astype(np.uint8)
            fr[(~m) & (np.arange(NX)[None, :] % 3 == 0)] = 100
            pix.append(fr.tobytes())
        else:
            pix.append(m.astype(np.uint8).ravel())
    ds.PerFrameFunctionalGroupsSequence = Sequence(per)
    ds.NumberOfFrames = len(frames)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = NY, NX
    ds.BitsAllocated = ds.BitsStored = 8 if fractional else 1
    ds.HighBit, ds.PixelRepresentation = ds.BitsStored - 1, 0
    if fractional:
        ds.PixelData = b"".join(pix)
    else:  # packed across frames, least significant bit first
        ds.PixelData = np.packbits(np.concatenate(pix), bitorder="little").tobytes()
    save(ds, os.path.join(d, "seg_frac.dcm" if fractional else "seg.dcm"), "explicit")


def pixel_module(ds):
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = NY, NX
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1


def write_enhanced(a, row, col, pos, study, series, frame, names):
    """One Enhanced CT file, frames stored in the order `names` gives (not by position)."""
    ds = Dataset()
    base(ds, ECT_SOP, "CT", study, series, frame)
    ds.InstanceNumber = 1
    pixel_module(ds)
    order = sorted(range(NZ), key=lambda k: names[k])
    ds.NumberOfFrames = len(order)
    sh = Dataset()
    pm = Dataset(); pm.PixelSpacing = [SY, SX]; pm.SliceThickness = SZ
    po = Dataset(); po.ImageOrientationPatient = [round(float(x), 8) for x in list(row) + list(col)]
    pv = Dataset(); pv.RescaleSlope, pv.RescaleIntercept, pv.RescaleType = SLOPE, INTER, "HU"
    sh.PixelMeasuresSequence, sh.PlaneOrientationSequence = Sequence([pm]), Sequence([po])
    sh.PixelValueTransformationSequence = Sequence([pv])
    ds.SharedFunctionalGroupsSequence = Sequence([sh])
    per = []
    for k in order:
        f = Dataset()
        pp = Dataset(); pp.ImagePositionPatient = [round(float(x), 6) for x in pos[k]]
        f.PlanePositionSequence = Sequence([pp])
        per.append(f)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per)
    ds.PixelData = b"".join(stored(k).tobytes() for k in order)
    save(ds, os.path.join(a.dir, "enhanced.dcm"), a.syntax)


def contour(points, ref_uid=None):
    c = Dataset()
    c.ContourGeometricType = "CLOSED_PLANAR"
    c.NumberOfContourPoints = len(points)
    c.ContourData = ["%.6f" % v for p in points for v in p]
    return c


def cube_contours(row, col, nrm, origin):
    """The cube's rectangles, one per slice, on the voxel boundaries (no centre on an edge)."""
    (i0, i1), (j0, j1), (k0, k1) = CUBE
    cs = []
    for k in range(k0, k1):
        c0 = origin + k * SZ * nrm
        corners = [(i0 - 0.5, j0 - 0.5), (i1 - 0.5, j0 - 0.5), (i1 - 0.5, j1 - 0.5), (i0 - 0.5, j1 - 0.5)]
        cs.append(contour([c0 + u * SX * row + v * SY * col for u, v in corners]))
    return cs


def write_rtstruct(d, row, col, nrm, origin, study, frame, cube=False):
    ds = Dataset()
    base(ds, RS_SOP, "RTSTRUCT", study, generate_uid(), frame)
    ds.StructureSetLabel = "synthetic"
    fr = Dataset(); fr.FrameOfReferenceUID = frame
    ds.ReferencedFrameOfReferenceSequence = Sequence([fr])
    rois, contours = [], []
    for num, name in ((1, "Sphere"), (2, "Hollow")) + (((3, "Cube"),) if cube else ()):
        if ONLY_ROIS and name not in ONLY_ROIS:
            continue
        r = Dataset(); r.ROINumber, r.ROIName, r.ReferencedFrameOfReferenceUID = num, name, frame
        rois.append(r)
        cs = cube_contours(row, col, nrm, origin) if name == "Cube" else []
        for k in range(NZ if name != "Cube" else 0):
            for rr in (R_OUT, R_IN) if name == "Hollow" else (R_OUT,):
                rk = radius_at(k, rr)
                if rk is None:
                    continue
                pu, pv = polygon(k, rr)
                c0 = origin + k * SZ * nrm
                pts = [c0 + a * row + b * col for a, b in zip(pu, pv)]
                cs.append(contour(pts))
        rc = Dataset(); rc.ReferencedROINumber = num; rc.ContourSequence = Sequence(cs)
        contours.append(rc)
    ds.StructureSetROISequence = Sequence(rois)
    ds.ROIContourSequence = Sequence(contours)
    save(ds, os.path.join(d, "rtstruct.dcm"), "implicit")


ONLY_ROIS = []  # --rois: the ROIs the RTSTRUCT holds (default all)
CUBE = ((10, 30), (8, 28), (5, 20))  # voxel index ranges [a, b) of the cube structure


def ramp(x, x0):
    """The analytic dose: a linear ramp along the patient x axis (Gy)."""
    return 10.0 + 0.5 * (x - x0)


def write_dose(a):
    """A CT series (the structures' grid) with an RTSTRUCT holding "Cube" (CT voxels CUBE)
    and the spheres, and an RTDOSE: the ramp (or, with --gauss, a Gaussian bump) on a coarser
    grid (2.5 x 2.5 x 3 mm) covering them, stored as uint32 with Dose Grid Scaling 1e-4.  The
    JSON gives the cube's DVH in closed form: the ramp is linear, so trilinear interpolation
    is exact and the cube's voxel doses are 10 + 0.5 i SX for i in its columns."""
    a.enhanced, a.shift, a.drop, a.dup, a.pet = False, None, None, None, False
    ct = os.path.join(a.dir, "CT")
    a_ct = argparse.Namespace(**vars(a)); a_ct.dir = ct
    os.makedirs(ct, exist_ok=True)
    row, col, nrm, origin = geometry(False)
    study, frame, series = generate_uid(), generate_uid(), generate_uid()
    for k in range(NZ):
        ds = Dataset()
        base(ds, CT_SOP, "CT", study, series, frame)
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [float(x) for x in origin + k * SZ * nrm]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [SY, SX]
        pixel_module(ds)
        ds.RescaleSlope, ds.RescaleIntercept = SLOPE, INTER
        ds.PixelData = stored(k).tobytes()
        save(ds, os.path.join(ct, "IM%03d.dcm" % k), "implicit")
    write_rtstruct(a.dir, row, col, nrm, origin, study, frame, cube=True)
    # The dose grid: from 5 mm before the CT's first voxel, 2.5 x 2.5 x 3 mm.
    dsx, dsy, dsz = 2.5, 2.5, 3.0
    o = origin + np.array([-5.0, -5.0, -3.0])
    nx, ny, nz = int((NX * SX + 10) / dsx) + 1, int((NY * SY + 10) / dsy) + 1, int((NZ * SZ + 6) / dsz) + 1
    z, y, x = np.mgrid[0:nz, 0:ny, 0:nx]
    px, py, pz = o[0] + x * dsx, o[1] + y * dsy, o[2] + z * dsz
    if a.gauss:
        c = origin + np.array([CENTRE[0] * SX, CENTRE[1] * SY, CENTRE[2] * SZ])
        dose = 2.0 + 60.0 * np.exp(-((px - c[0]) ** 2 + (py - c[1]) ** 2 + (pz - c[2]) ** 2) / (2 * 9.0 ** 2))
    else:
        dose = ramp(px, origin[0])
    ds = Dataset()
    base(ds, RD_SOP, "RTDOSE", study, generate_uid(), frame)
    ds.ImagePositionPatient = [float(v) for v in o]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [dsy, dsx]
    ds.SliceThickness = dsz
    ds.GridFrameOffsetVector = [dsz * k for k in range(nz)]
    ds.FrameIncrementPointer = 0x3004000C
    ds.NumberOfFrames = nz
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = ny, nx
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 32, 32, 31, 0
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", "PLAN"
    ds.DoseGridScaling = "0.0001"
    ds.PixelData = np.round(dose / 1e-4).astype(np.uint32).tobytes()
    save(ds, os.path.join(a.dir, "rtdose.dcm"), "implicit")
    # The cube's doses: columns i of the cube, (j, k) rows times each.
    (i0, i1), (j0, j1), (k0, k1) = CUBE
    per = (j1 - j0) * (k1 - k0)
    d = np.repeat(ramp(origin[0] + np.arange(i0, i1) * SX, origin[0]), per)
    print(json.dumps({"cube_doses": sorted(d.tolist()), "voxel_cc": SX * SY * SZ / 1000,
                      "lo": ramp(origin[0] + (i0 - 0.5) * SX, origin[0]),
                      "hi": ramp(origin[0] + (i1 - 0.5) * SX, origin[0])}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["series", "pet", "dose"])
    p.add_argument("dir")
    p.add_argument("--orient", default="axial", choices=["axial", "oblique"])
    p.add_argument("--order", default="normal", choices=["normal", "reversed", "shuffled"])
    p.add_argument("--syntax", default="implicit",
                   choices=["implicit", "explicit", "big", "deflated", "rle"])
    p.add_argument("--enhanced", action="store_true")
    p.add_argument("--drop", type=int)
    p.add_argument("--dup", type=int)
    p.add_argument("--shift", nargs=2)
    p.add_argument("--no-truth", action="store_true", help="skip counting the voxels")
    p.add_argument("--seg", action="store_true", help="also seg.dcm and seg_frac.dcm")
    p.add_argument("--pet-edit", action="append", default=[], help="KEYWORD=VALUE (pet)")
    p.add_argument("--gauss", action="store_true", help="dose: a Gaussian bump, not the ramp")
    p.add_argument("--rois", help="comma-separated ROIs the RTSTRUCT holds (default all)")
    a = p.parse_args()
    if a.rois:
        ONLY_ROIS.extend(a.rois.split(","))
    if a.shift:
        a.shift = (int(a.shift[0]), float(a.shift[1]))
    a.pet = a.what == "pet"
    if a.what == "dose":
        write_dose(a)
    else:
        write_series(a)


if __name__ == "__main__":
    main()
