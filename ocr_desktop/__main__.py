from ocr_desktop.cli import main

raise SystemExit(main())
