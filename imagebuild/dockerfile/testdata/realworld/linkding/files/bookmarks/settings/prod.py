# excerpt of the file at 279293b8:
try:
    with open(os.path.join(BASE_DIR, "data", "secretkey.txt")) as f:
        SECRET_KEY = f.read().strip()
except Exception:
    SECRET_KEY = get_random_secret_key()
