"""Build the optional compiled PubMed mapping (kg/_pubmed_fast.c); everything else is in pyproject.toml.

The extension reads libxml2's tree under lxml's elements, so it compiles against the headers lxml ships
(`lxml.get_include()`). It is optional: without a C compiler the install still succeeds and kg uses the
Python reader, which gives the same graphs more slowly (tests/test_pubmed_fast.py says which is active).
"""

from setuptools import Extension, setup


def _lxml_includes() -> list[str]:
    try:
        import lxml
    except ImportError:  # the build requirements install lxml; this only guards odd build front-ends
        return []
    return lxml.get_include()


setup(ext_modules=[Extension("kg._pubmed_fast", ["kg/_pubmed_fast.c"], include_dirs=_lxml_includes(),
                             extra_compile_args=["-O2"], optional=True)])
