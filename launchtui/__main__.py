from launchtui.cli.main import main

raise SystemExit(main())
