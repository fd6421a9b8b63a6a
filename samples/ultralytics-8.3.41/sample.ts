/** ultralytics 8.3.41 (PyPI, 2024): a sdist built by a poisoned CI run contained code absent from the tagged source. */
import { defineSample } from "../lib/sample.js";

const git = {
  "pyproject.toml": '[project]\nname = "ultralytics"\nversion = "8.3.41"\n',
  "ultralytics/__init__.py": '__version__ = "8.3.41"\n',
  "ultralytics/utils/downloads.py": "def safe_download(url, file=None):\n    return file\n",
  "README.md": "# Ultralytics\n",
};

export default defineSample({
  name: "ultralytics-8.3.41",
  description: "ultralytics 8.3.41: an sdist module changed by the build pipeline",
  history: [{ files: git, tag: "v8.3.41" }],
  tarballName: "ultralytics-8.3.41.tar.gz",
  root: "ultralytics-8.3.41",
  tarball: {
    ...git,
    "PKG-INFO": "Metadata-Version: 2.1\nName: ultralytics\nVersion: 8.3.41\n",
    "ultralytics.egg-info/PKG-INFO": "Metadata-Version: 2.1\nName: ultralytics\nVersion: 8.3.41\n",
    "ultralytics.egg-info/SOURCES.txt": "pyproject.toml\nultralytics/__init__.py\n",
    "ultralytics.egg-info/top_level.txt": "ultralytics\n",
    "ultralytics.egg-info/dependency_links.txt": "\n",
    "ultralytics/utils/downloads.py": git["ultralytics/utils/downloads.py"] + "\n\ndef _safe_run():\n    # distvet sample: the real release started a cryptocurrency miner here\n    pass\n",
  },
});
