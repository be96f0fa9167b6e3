"""GIFT (Moodle's question text format): read, write, and convert to and from quiz files.

``reader`` parses GIFT into plain dataclasses (``model``) with line numbers, ``writer``
writes them back; ``convert`` maps them to quiz-file questions and reports what the LMS
cannot hold; ``importer`` and ``exporter`` are what ``lms courses import-gift`` and
``export-gift`` run. No database, no Flask.
"""
