python manage.py gigq_worker
python manage.py gigq_worker --queue mail --queue reports --concurrency 8
python manage.py gigq_worker --burst --max-jobs 1000 -v 2
python manage.py gigq_worker --concurrency 2 --batch 20 --polling-interval 0.5
python manage.py gigq_worker --shutdown-timeout 120 --database jobs
# --8<-- [start:metrics]
python manage.py gigq_worker --metrics-port 9100 --metrics-addr 10.0.0.5
# --8<-- [end:metrics]
