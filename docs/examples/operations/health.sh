python manage.py gigq health
python manage.py gigq health --max-age 900
python manage.py gigq health --json
