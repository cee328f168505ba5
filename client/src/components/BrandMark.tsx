import styles from './BrandMark.module.css'

/** The app's mark (a speech bubble's two eyes), decorative: the name beside it is what is read. */
export function BrandMark() {
  return <span className={styles.mark} aria-hidden="true" />
}
