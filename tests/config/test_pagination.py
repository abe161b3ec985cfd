"""The shared pagination links: shown only with more than one page, keeping the search's query string."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import SimpleTestCase
from django.utils import translation


class PaginationIncludeTests(SimpleTestCase):
    def render(self, page_number, **context):
        page = Paginator(list(range(25)), 10).page(page_number)
        with translation.override("en"):
            return render_to_string("includes/pagination.html", {"page_obj": page, **context})

    def test_middle_page_links_both_ways_and_keeps_the_query(self):
        html = self.render(2, query="event=stage.signed")
        self.assertIn('href="?event=stage.signed&amp;page=1"', html)
        self.assertIn('href="?event=stage.signed&amp;page=3"', html)
        self.assertIn("Page 2 of 3", html)

    def test_first_page_has_no_link_back_and_no_empty_query(self):
        html = self.render(1)
        self.assertNotIn("page=0", html)
        self.assertIn('href="?page=2"', html)

    def test_a_single_page_shows_nothing(self):
        page = Paginator([1, 2], 10).page(1)
        self.assertEqual(render_to_string("includes/pagination.html", {"page_obj": page}).strip(), "")

    def test_vietnamese_labels(self):
        with translation.override("vi"):
            html = render_to_string("includes/pagination.html", {"page_obj": Paginator(list(range(25)), 10).page(2)})
        self.assertIn("Mới hơn", html)
        self.assertIn("Trang 2 / 3", html)
