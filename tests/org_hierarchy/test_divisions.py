"""Reading the official list (the package's data or a file in its flat format) and naming the units."""

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from django.test import SimpleTestCase
from django.utils import translation
from vietnam_provinces import FLAT_DIVISIONS_JSON_PATH

from org_hierarchy.divisions import DivisionDataError, branch_specs, official_list, read_flat_file
from org_hierarchy.models import Branch


class DivisionListTests(SimpleTestCase):
    def write(self, content: str) -> Path:
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory)
        path = directory / "divisions.json"
        path.write_text(content, encoding="utf-8")
        return path

    def test_official_list(self):
        divisions = official_list()
        self.assertEqual((len(divisions.provinces), len(divisions.communes)), (34, 3321))
        self.assertEqual(sum(1 for c in divisions.communes if c.province_code == "48"), 94)

    def test_the_package_flat_file_is_read_with_types_from_the_names(self):
        divisions = read_flat_file(FLAT_DIVISIONS_JSON_PATH)
        self.assertEqual((len(divisions.provinces), len(divisions.communes)), (34, 3321))
        types = Counter(c.division_type for c in divisions.communes)
        self.assertEqual(set(types), {"xã", "phường", "đặc khu"})
        haichau = next(c for c in divisions.communes if c.code == "20242")
        self.assertEqual(
            (haichau.name, haichau.division_type, haichau.province_code), ("Phường Hải Châu", "phường", "48")
        )

    def test_branches_name_and_abbreviate_units(self):
        civil, security = branch_specs(official_list())
        self.assertEqual((civil.branch, security.branch), (Branch.CIVIL, Branch.SECURITY))
        hanoi_police = next(p for p in security.provinces if p.admin_code == "1")
        self.assertEqual((hanoi_police.name, hanoi_police.short_name), ("Công an Thành phố Hà Nội", "CATP"))
        special_zone = next(c for c in security.communes if c.division_type == "đặc khu")
        self.assertEqual(special_zone.short_name, "CAĐK")
        self.assertTrue(special_zone.name.startswith("Công an Đặc khu "))
        self.assertTrue(all(c.name.startswith("Ủy ban nhân dân ") and c.short_name == "UBND" for c in civil.communes))

    def test_bad_files_are_clear_errors(self):
        record = {"code": 4, "name": "Phường Ba Đình", "province_name": "Thành phố Hà Nội", "province_code": 1}
        for content, message in (
            ("{not json", "Cannot read the divisions file"),
            ('{"code": 4}', "must hold a JSON list"),
            (json.dumps([{"code": 4, "name": "Phường Ba Đình"}]), "Record 1 of the divisions file is incomplete"),
            (
                json.dumps([record, {**record, "division_type": "quận"}]),
                "Record 2 of the divisions file has an unknown",
            ),
            (json.dumps([{**record, "province_codename": "atlantis", "province_code": None}]), "Record 1"),
        ):
            with (
                self.subTest(message=message),
                translation.override("en"),
                self.assertRaisesMessage(DivisionDataError, message),
            ):
                read_flat_file(self.write(content))
