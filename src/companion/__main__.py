from companion._cli.main import main

raise SystemExit(main())
